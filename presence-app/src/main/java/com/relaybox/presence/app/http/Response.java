package com.relaybox.presence.app.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the API answers; every body but the metrics' is JSON, ended by a newline so that the
 * answers of successive {@code curl} calls stand on lines of their own.
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

    static Response json(int status, String json) {
        return new Response(status, "application/json", (json + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Response error(int status, String message) {
        return json(status, Views.error(message));
    }

    Response withHeader(String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(all));
    }
}
