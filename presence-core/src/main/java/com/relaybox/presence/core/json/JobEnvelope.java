package com.relaybox.presence.core.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.RawJob;

import java.nio.charset.StandardCharsets;

/**
 * A job carried as one JSON document, {@code {"type": "presence:join", "id": "...", "data": {...}}},
 * as {@code POST /v1/jobs} takes it. The document is read as strictly as a job body is; what the job
 * holds is {@link JobParser}'s to check, as for a job from any other transport.
 */
public final class JobEnvelope {
    private static final String SHAPE = "{\"type\": \"presence:join\", \"id\": \"...\", \"data\": {...}}";

    private JobEnvelope() {
    }

    /** @throws InvalidJobException with the one-line reason when the document is no such envelope */
    public static RawJob read(byte[] document) {
        JsonObject envelope;
        try {
            envelope = JobParser.jsonObject(document);
        } catch (InvalidJobException e) {
            throw new InvalidJobException(e.getMessage() + "; send " + SHAPE);
        }
        String type = string(envelope, "type");
        String id = string(envelope, "id");
        // The parser would name the AMQP properties; over HTTP they are the envelope's fields. An unknown
        // type is still the parser's to name first, as it names it before a missing id.
        if (type.isEmpty()) throw new InvalidJobException("missing job type ('type')");
        if (id.isEmpty() && JobType.fromWire(type).isPresent()) throw new InvalidJobException("missing job id ('id')");
        byte[] data = PresenceJson.compact(envelope.get("data")).getBytes(StandardCharsets.UTF_8);
        return new RawJob(type, id, data, false);
    }

    /** {@code ""} when absent or null. */
    private static String string(JsonObject envelope, String name) {
        JsonElement element = envelope.get(name);
        if (element == null || element.isJsonNull()) return "";
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString())
            throw new InvalidJobException("'" + name + "' must be a string");
        return element.getAsString();
    }
}
