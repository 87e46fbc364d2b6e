package com.relaybox.presence.core.json;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Timestamps;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one JSON of history records, with one set of field names wherever records travel: between
 * the presence path and the history writer, UTF-8 JSON {@code {"v":2,"records":[{...}, ...]}};
 * to a reader over HTTP, the bare array. A reader gets {@code data} and {@code user} embedded as
 * JSON values; the writer's messages carry them as strings holding their JSON text, so that the
 * history writer hands PostgreSQL the very text the presence path had, without parsing it into a
 * tree and writing it out again. Messages of version 1 (values embedded), which an older build
 * may have left in the queue, are still read.
 */
public final class HistoryJson {
    static final int VERSION = 2;
    private static final int EMBEDDED_VALUES = 1;

    private HistoryJson() {
    }

    public static byte[] encode(List<HistoryRecord> records) {
        JsonText json = new JsonText(64 + 360 * records.size());
        json.beginObject();
        json.name("v").value(VERSION);
        json.name("records");
        writeRecords(json, records, false);
        json.endObject();
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The records as a JSON array, {@code data} and {@code user} embedded: what a history read answers. */
    public static String records(List<HistoryRecord> records) {
        JsonText json = new JsonText(2 + 320 * records.size());
        writeRecords(json, records, true);
        return json.toString();
    }

    /** The names are CONTRACT §1's, as in a job and a broadcast. */
    private static void writeRecords(JsonText json, List<HistoryRecord> records, boolean embedded) {
        json.beginArray();
        for (HistoryRecord record : records) {
            json.beginObject();
            json.name("jobId").value(record.jobId().value());
            json.name("eventIndex").value(record.eventIndex());
            json.name("nspRoomId").value(record.room().toString());
            json.name("connectionId").value(record.connectionId().value());
            json.name("clientId").value(record.clientId().orElse(null));
            json.name("event").value(record.event().wireName());
            if (embedded) {
                json.name("data").json(record.dataJson());
                json.name("user").json(record.userJson());
            } else {
                json.name("data").value(record.dataJson());
                json.name("user").value(record.userJson());
            }
            json.name("timestamp").value(timestamp(record.timestamp()));
            json.endObject();
        }
        json.endArray();
    }

    /** Milliseconds, as RelayBox writes times; more digits only when the time has them, so none is lost. */
    private static String timestamp(Instant timestamp) {
        return timestamp.getNano() % 1_000_000 == 0 ? Timestamps.format(timestamp) : timestamp.toString();
    }

    /** Reads back what {@link #encode} wrote; anything else is a {@link CorruptStateException}. */
    public static List<HistoryRecord> decode(byte[] body) {
        try (JsonReader json = new JsonReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
            json.setStrictness(Strictness.STRICT);
            List<HistoryRecord> records = null;
            Integer version = null;
            json.beginObject();
            while (json.hasNext()) {
                switch (json.nextName()) {
                    case "v" -> version = json.nextInt();
                    case "records" -> records = records(json, version);
                    default -> json.skipValue();
                }
            }
            json.endObject();
            if (json.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("text after the JSON value");
            if (records == null) throw new CorruptStateException("history message has no records");
            return records;
        } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new CorruptStateException("not a history message: " + e.getMessage(), e);
        }
    }

    /** The records of a message whose version came first, as every version is written. */
    private static List<HistoryRecord> records(JsonReader json, Integer version) throws IOException {
        if (version == null || (version != VERSION && version != EMBEDDED_VALUES))
            throw new CorruptStateException("history message version " + version + " is neither " + VERSION + " nor "
                    + EMBEDDED_VALUES + " (or does not come first)");
        boolean embedded = version == EMBEDDED_VALUES;
        List<HistoryRecord> records = new ArrayList<>();
        json.beginArray();
        while (json.hasNext()) records.add(record(json, embedded));
        json.endArray();
        return records;
    }

    private static HistoryRecord record(JsonReader json, boolean embedded) throws IOException {
        String jobId = null, room = null, connectionId = null, clientId = null, event = null, timestamp = null;
        String data = null, user = null;
        int eventIndex = -1;
        json.beginObject();
        while (json.hasNext()) {
            switch (json.nextName()) {
                case "jobId" -> jobId = json.nextString();
                case "eventIndex" -> eventIndex = json.nextInt();
                // "room": the name before CONTRACT §1's, in messages that may still wait in the queue.
                case "nspRoomId", "room" -> room = json.nextString();
                case "connectionId" -> connectionId = json.nextString();
                case "clientId" -> clientId = nullableString(json);
                case "event" -> event = json.nextString();
                case "timestamp" -> timestamp = json.nextString();
                case "data" -> data = jsonText(json, embedded);
                case "user" -> user = jsonText(json, embedded);
                default -> json.skipValue();
            }
        }
        json.endObject();
        try {
            return new HistoryRecord(new JobId(jobId), eventIndex, NspRoomId.parse(room), new ConnectionId(connectionId),
                    Optional.ofNullable(clientId), EventType.fromWire(event), required(data, "data"),
                    required(user, "user"), Timestamps.parse(required(timestamp, "timestamp")));
        } catch (RuntimeException e) {
            if (e instanceof CorruptStateException) throw e;
            throw new CorruptStateException("not a history record (job " + jobId + "): " + e.getMessage(), e);
        }
    }

    /** A JSON value embedded (version 1) as its compact text, or a string holding that text (version 2). */
    private static String jsonText(JsonReader json, boolean embedded) throws IOException {
        return embedded ? PresenceJson.compact(JsonParser.parseReader(json)) : json.nextString();
    }

    private static String nullableString(JsonReader json) throws IOException {
        if (json.peek() == JsonToken.NULL) {
            json.nextNull();
            return null;
        }
        return json.nextString();
    }

    private static String required(String value, String name) {
        if (value == null) throw new CorruptStateException("history record has no " + name);
        return value;
    }
}
