package com.relaybox.presence.core.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.relaybox.presence.core.domain.Actor;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.domain.PresenceJob;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.domain.Timestamps;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns a raw job into a {@link PresenceJob}, or says in one line why it cannot be applied
 * (CONTRACT §6). Every transport goes through here, so every transport rejects alike.
 */
public final class JobParser {
    public static final int DEFAULT_MAX_DATA_BYTES = 65_536;

    private final int maxDataBytes;

    public JobParser(int maxDataBytes) {
        if (maxDataBytes < 1) throw new IllegalArgumentException("maxDataBytes must be >= 1, got " + maxDataBytes);
        this.maxDataBytes = maxDataBytes;
    }

    /** @throws InvalidJobException with the one-line reason when the job cannot be applied */
    public PresenceJob parse(RawJob raw) {
        try {
            return judge(raw);
        } catch (IllegalArgumentException refused) {
            // A value of the domain refused a part of the job, and said why.
            throw new InvalidJobException(oneLine(refused.getMessage()));
        }
    }

    /** The checks in the order they have always been made: a job's first fault is the one named. */
    private PresenceJob judge(RawJob raw) {
        if (raw.type().isEmpty()) throw new InvalidJobException("missing job type (AMQP property 'type')");
        JobType type = JobType.fromWire(raw.type()).orElseThrow(() -> new InvalidJobException(
                "unknown job type '" + oneLine(raw.type()) + "'"));
        if (raw.id().isEmpty()) throw new InvalidJobException("missing job id (AMQP property 'message_id')");
        JobId id = new JobId(raw.id());
        JsonObject body = jsonObject(raw.body());
        JsonObject session = object(body, "session")
                .orElseThrow(() -> new InvalidJobException("missing session"));
        Actor actor = actor(body, session);
        Optional<String> latencyLog = optional(body, "latencyLog").map(PresenceJson::compact);
        return switch (type) {
            case JOIN -> inRoom(type, id, body, actor, latencyLog, PresenceJob.Join::new);
            case UPDATE -> inRoom(type, id, body, actor, latencyLog, PresenceJob.Update::new);
            case LEAVE -> inRoom(type, id, body, actor, latencyLog, PresenceJob.Leave::new);
            case DISCONNECT -> new PresenceJob.Disconnect(id, actor, timestamp(body, "timestamp"), latencyLog);
        };
    }

    private PresenceJob inRoom(JobType type, JobId id, JsonObject body, Actor actor, Optional<String> latencyLog,
                               InRoomJob kind) {
        NspRoomId room = NspRoomId.parse(string(body, "nspRoomId")
                .orElseThrow(() -> new InvalidJobException("missing nspRoomId")));
        actor.requireSameApp(room);
        checkSubscription(body, room, type);
        Optional<JsonObject> message = object(body, "message");
        String dataJson = message.flatMap(m -> optional(m, "message.data")).map(PresenceJson::compact).orElse("null");
        int dataBytes = dataJson.getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > maxDataBytes)
            throw new InvalidJobException("message.data is " + dataBytes + " bytes, over the limit of "
                    + maxDataBytes + " (PRESENCE_MAX_DATA_BYTES)");
        Optional<String> timestamp = message.isPresent() ? timestamp(message.get(), "message.timestamp")
                : Optional.empty();
        return kind.of(id, room, actor, dataJson, timestamp, latencyLog);
    }

    /** The constructor of a join, update or leave, which carry the same parts. */
    private interface InRoomJob {
        PresenceJob of(JobId id, NspRoomId room, Actor actor, String dataJson, Optional<String> timestamp,
                       Optional<String> latencyLog);
    }

    private static Actor actor(JsonObject body, JsonObject session) {
        String appPid = present(session, "session.appPid");
        // Actor checks it again; checked here, it comes before any fault of the connection id, as it always has.
        NspRoomId.requireAppPid(appPid, "session.appPid");
        String connectionId = present(session, "session.connectionId");
        Optional<String> clientId = string(body, "clientId").or(() -> string(session, "session.clientId"))
                .filter(s -> !s.isEmpty());
        String userJson = optional(session, "session.user").map(PresenceJson::compact).orElse("null");
        return new Actor(appPid, new ConnectionId(connectionId), clientId, PresenceJson.compact(session), userJson);
    }

    private static void checkSubscription(JsonObject body, NspRoomId room, JobType type) {
        Optional<JsonElement> subscription = optional(body, "subscription");
        if (subscription.isEmpty()) return;
        String expected = PresenceEvent.eventName(room, type.event());
        JsonElement given = subscription.get();
        if (!given.isJsonPrimitive() || !given.getAsJsonPrimitive().isString() || !given.getAsString().equals(expected))
            throw new InvalidJobException("subscription " + oneLine(given.toString()) + " does not match '"
                    + oneLine(expected) + "'");
    }

    /**
     * An event time: ISO-8601 text as CONTRACT §2 has it, or a JSON number of whole milliseconds
     * since the epoch, kept as its digits (broadcast as the number it was, recorded as its instant).
     */
    private static Optional<String> timestamp(JsonObject object, String name) {
        Optional<JsonElement> element = optional(object, name);
        if (element.isEmpty()) return Optional.empty();
        JsonElement value = element.get();
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            String millis = value.getAsString();
            if (!Timestamps.isEpochMillis(millis))
                throw new InvalidJobException(name + " must be whole milliseconds since the epoch (at most 16 digits)"
                        + " when a number, got " + oneLine(millis));
            return Optional.of(millis);
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString())
            throw new InvalidJobException(name + " must be an ISO-8601 string or milliseconds since the epoch, got "
                    + oneLine(value.toString()));
        String text = value.getAsString();
        try {
            Timestamps.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(name + " '" + oneLine(text) + "' is not an ISO-8601 instant");
        }
        return Optional.of(text);
    }

    /** The body as one strict JSON object, or the reason it is none. */
    static JsonObject jsonObject(byte[] body) {
        // The lenient decoder is the fast one; only a body holding U+FFFD, which it also puts in place
        // of bytes that are not UTF-8, is decoded again strictly to tell the two apart.
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body));
            } catch (CharacterCodingException e) {
                throw new InvalidJobException("body is not valid UTF-8");
            }
        }
        JsonElement element;
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() == JsonToken.END_DOCUMENT) throw new JsonParseException("the body is empty");
            element = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("text after the JSON value");
        } catch (JsonParseException | IOException e) {
            throw new InvalidJobException("body is not JSON: " + oneLine(withoutAdvice(rootMessage(e))));
        }
        if (!element.isJsonObject())
            throw new InvalidJobException("body is not a JSON object");
        return element.getAsJsonObject();
    }

    /** A present, non-null member; {@code path} is its dotted path, the last part its name. */
    private static Optional<JsonElement> optional(JsonObject object, String path) {
        JsonElement element = object.get(path.substring(path.lastIndexOf('.') + 1));
        return element == null || element.isJsonNull() ? Optional.empty() : Optional.of(element);
    }

    private static Optional<JsonObject> object(JsonObject object, String name) {
        Optional<JsonElement> element = optional(object, name);
        if (element.isPresent() && !element.get().isJsonObject())
            throw new InvalidJobException(name + " must be a JSON object");
        return element.map(JsonElement::getAsJsonObject);
    }

    /** A string that is there and not empty. */
    private static String present(JsonObject object, String name) {
        return string(object, name).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new InvalidJobException("missing " + name));
    }

    private static Optional<String> string(JsonObject object, String name) {
        Optional<JsonElement> element = optional(object, name);
        if (element.isPresent() && !(element.get().isJsonPrimitive() && element.get().getAsJsonPrimitive().isString()))
            throw new InvalidJobException(name + " must be a string");
        return element.map(JsonElement::getAsString);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return String.valueOf(root.getMessage());
    }

    /**
     * Gson's reason without its advice: the help link it appends and the setting it suggests
     * ("Use JsonReader.setStrictness(...) to accept malformed JSON") mean nothing to a producer;
     * what is wrong and where ("at line 1 column 3 path $.a") stays.
     */
    static String withoutAdvice(String reason) {
        String text = reason;
        int link = text.indexOf("\nSee https://");
        if (link >= 0) text = text.substring(0, link);
        return text.replaceFirst("^Use JsonReader\\.setStrictness\\([^)]*\\) to accept malformed JSON", "malformed JSON");
    }

    /** A reason as CONTRACT §6 gives it, e.g. in one AMQP header: no line breaks, bounded length. */
    public static String oneLine(String text) {
        String flat = text.replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
    }
}
