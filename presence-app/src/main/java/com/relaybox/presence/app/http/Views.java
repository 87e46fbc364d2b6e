package com.relaybox.presence.app.http;

import com.google.gson.stream.JsonWriter;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.json.PresenceJson;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON the API answers. What core has a JSON for (a member, a history record) core writes. */
final class Views {
    private Views() {
    }

    /** Each as Redis holds it and a broadcast carries it (CONTRACT §4). */
    static String members(List<Member> members) {
        return array(w -> {
            for (Member member : members) w.jsonValue(PresenceJson.member(member));
        });
    }

    static String count(long count) {
        return object(w -> w.name("count").value(count));
    }

    static String rooms(List<NspRoomId> rooms) {
        return array(w -> {
            for (NspRoomId room : rooms) w.value(room.toString());
        });
    }

    static String history(List<HistoryRecord> records) {
        return HistoryJson.records(records);
    }

    static String heartbeat(ConnectionId connection, Instant at) {
        return object(w -> {
            w.name("connectionId").value(connection.value());
            w.name("heartbeat").value(at.toEpochMilli());
        });
    }

    static String submission(String jobId, Submission submission) {
        return object(w -> {
            w.name("id").value(jobId);
            w.name("status").value(submission.status().name().toLowerCase(Locale.ROOT));
            if (submission.reason().isPresent()) w.name("reason").value(submission.reason().get());
        });
    }

    static String live() {
        return object(w -> w.name("status").value(Health.Status.UP.name()));
    }

    static String readiness(Health.Status status, Map<String, Health> components) {
        return object(w -> {
            w.name("status").value(status.name());
            w.name("components").beginObject();
            for (Map.Entry<String, Health> component : components.entrySet()) {
                w.name(component.getKey()).beginObject();
                w.name("status").value(component.getValue().status().name());
                w.name("detail").value(component.getValue().detail());
                w.endObject();
            }
            w.endObject();
        });
    }

    static String error(String message) {
        return object(w -> w.name("error").value(message));
    }

    @FunctionalInterface
    private interface JsonBody {
        void write(JsonWriter writer) throws IOException;
    }

    private static String object(JsonBody body) {
        return write(w -> {
            w.beginObject();
            body.write(w);
            w.endObject();
        });
    }

    private static String array(JsonBody body) {
        return write(w -> {
            w.beginArray();
            body.write(w);
            w.endArray();
        });
    }

    private static String write(JsonBody body) {
        StringWriter out = new StringWriter();
        try (JsonWriter writer = new JsonWriter(out)) {
            writer.setSerializeNulls(true);
            writer.setHtmlSafe(false);
            body.write(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
