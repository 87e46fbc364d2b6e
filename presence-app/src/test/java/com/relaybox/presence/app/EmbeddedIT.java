package com.relaybox.presence.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar with no configuration: embedded mode, jobs over HTTP, reads back; SIGTERM exits 0.
 * (Only the port is set, to 0, so the test never collides with a service on 4004.)
 */
class EmbeddedIT {
    private static final String ROOM = "Fef8GnS7C5zN:chat:lobby";
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void runsWithNothingConfiguredAndStopsCleanlyOnSigterm() throws Exception {
        try (JarProcess jar = JarProcess.start(dir, Map.of("PRESENCE_HTTP_PORT", "0"))) {
            int port = jar.awaitStarted();
            assertThat(jar.lines().get(0)).contains("event=starting version=").contains(" mode=embedded reason=\"PRESENCE_MODE unset and "
                    + "none of REDIS_HOST, REDIS_SENTINELS, RABBIT_MQ_CONNECTION_STRING is set\"");
            String base = "http://127.0.0.1:" + port;

            assertThat(get(base + "/health/live").body()).isEqualTo("{\"status\":\"UP\"}\n");
            HttpResponse<String> ready = get(base + "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).startsWith("{\"status\":\"UP\"");

            assertThat(post(base + "/v1/jobs", join("job-1", "Fef8GnS7C5zN:conn-1", "Fef8GnS7C5zN:alice", "{\"status\":\"here\"}"))
                    .statusCode()).isEqualTo(202);
            assertThat(post(base + "/v1/jobs", join("job-2", "Fef8GnS7C5zN:conn-2", "Fef8GnS7C5zN:bob", "null")).body())
                    .isEqualTo("{\"id\":\"job-2\",\"status\":\"applied\"}\n");
            assertThat(post(base + "/v1/jobs", join("job-3", "Fef8GnS7C5zN:conn-3", "Fef8GnS7C5zN:alice", "null"))
                    .statusCode()).isEqualTo(202);

            JsonArray members = JsonParser.parseString(get(base + "/v1/rooms/" + ROOM + "/members").body()).getAsJsonArray();
            // Most recent first, one per clientId: alice's newer connection, then bob.
            assertThat(members).hasSize(2);
            assertThat(members.get(0).getAsJsonObject().get("connectionId").getAsString()).isEqualTo("Fef8GnS7C5zN:conn-3");
            assertThat(members.get(1).getAsJsonObject().get("clientId").getAsString()).isEqualTo("Fef8GnS7C5zN:bob");
            assertThat(get(base + "/v1/rooms/" + ROOM + "/count").body()).isEqualTo("{\"count\":3}\n");
            assertThat(get(base + "/v1/connections/Fef8GnS7C5zN:conn-1/rooms").body()).isEqualTo("[\"" + ROOM + "\"]\n");
            assertThat(JsonParser.parseString(get(base + "/v1/rooms/" + ROOM + "/history?limit=2").body())
                    .getAsJsonArray()).hasSize(2);

            HttpResponse<String> bad = post(base + "/v1/jobs", "{\"type\":\"presence:join\",\"id\":\"x\",\"data\":{}}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).isEqualTo("{\"error\":\"missing session\"}\n");

            jar.terminate();
            assertThat(jar.awaitExit(Duration.ofSeconds(15))).isEqualTo(0);
            List<String> lines = jar.lines();
            assertThat(lines).anyMatch(line -> line.contains("event=shutdown_complete clean=true"));
            assertThat(lines).noneMatch(line -> line.contains("level=ERROR") || line.contains("Exception"));
            // One line per lifecycle event, none per job.
            assertThat(lines).noneMatch(line -> line.contains("job-1"));
        }
    }

    static String join(String id, String connection, String clientId, String data) {
        return "{\"type\":\"presence:join\",\"id\":\"" + id + "\",\"data\":{\"clientId\":\"" + clientId + "\","
                + "\"nspRoomId\":\"" + ROOM + "\",\"session\":{\"appPid\":\"Fef8GnS7C5zN\",\"connectionId\":\""
                + connection + "\",\"clientId\":\"" + clientId + "\"},\"message\":{\"data\":" + data + "}}}";
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String uri, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
