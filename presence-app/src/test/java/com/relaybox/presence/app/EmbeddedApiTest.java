package com.relaybox.presence.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;
import com.relaybox.presence.app.config.Config;
import com.relaybox.presence.app.config.Env;
import com.relaybox.presence.app.http.ApiServer;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP API over real HTTP, wired as embedded mode wires it. */
class EmbeddedApiTest {
    private static final String ROOM = "app1:chat:lobby";
    private final HttpClient client = HttpClient.newHttpClient();
    private Lifecycle lifecycle;
    private int port;

    private void start(Map<String, String> variables, Module... extra) throws Exception {
        Map<String, String> env = new HashMap<>(variables);
        env.put("PRESENCE_HTTP_PORT", "0");
        Config config = Config.from(Env.of(env));
        Injector injector = Guice.createInjector(Modules.combine(
                Modules.combine(Main.modules(config)), Modules.combine(extra)));
        lifecycle = injector.getInstance(Lifecycle.class);
        lifecycle.start();
        port = injector.getInstance(ApiServer.class).port();
    }

    @AfterEach
    void stop() {
        if (lifecycle != null) lifecycle.stop();
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) request.headers(headers);
        return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) request.headers(headers);
        return client.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String job(String type, String id, String room, String connection, String data) {
        String app = room.substring(0, room.indexOf(':'));
        return "{\"type\":\"" + type + "\",\"id\":\"" + id + "\",\"data\":{\"clientId\":\"" + connection + "-client\","
                + "\"nspRoomId\":" + com.google.gson.JsonParser.parseString("\"" + room.replace("\"", "\\\"") + "\"")
                + ",\"session\":{\"appPid\":\"" + app + "\",\"connectionId\":\"" + connection + "\"},"
                + "\"message\":{\"data\":" + data + ",\"timestamp\":\"2024-10-03T14:49:14.329Z\"},"
                + "\"latencyLog\":{\"createdAt\":\"2024-10-03T14:49:14.325Z\"}}}";
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String rawGet(String target) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static JsonObject object(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    @Test
    void aConnectionWhoseHeartbeatsStopLeavesItsRoomWithALeaveInHistory() throws Exception {
        start(Map.of("PRESENCE_LIVENESS_TIMEOUT_S", "1", "PRESENCE_GHOST_SWEEP_INTERVAL_MS", "100"));
        HttpResponse<String> beat = post("/v1/connections/app1:conn-9/heartbeat", "");
        assertThat(beat.statusCode()).isEqualTo(200);
        assertThat(object(beat).get("connectionId").getAsString()).isEqualTo("app1:conn-9");
        assertThat(post("/v1/jobs", job("presence:join", "job-g1", ROOM, "app1:conn-9", "{}")).statusCode()).isEqualTo(202);
        assertThat(get("/v1/rooms/" + encode(ROOM) + "/count").body()).isEqualTo("{\"count\":1}\n");

        Poll.await(Duration.ofSeconds(10), "the ghost gone from the room", () -> body("/v1/rooms/" + encode(ROOM) + "/count")
                .equals("{\"count\":0}\n"));

        JsonArray history = JsonParser.parseString(get("/v1/rooms/" + encode(ROOM) + "/history").body()).getAsJsonArray();
        assertThat(history).hasSize(2);
        JsonObject leave = history.get(0).getAsJsonObject();
        assertThat(leave.get("event").getAsString()).isEqualTo("leave");
        assertThat(leave.get("jobId").getAsString()).startsWith("ghost:").endsWith(":app1:conn-9");
        assertThat(leave.get("clientId").getAsString()).isEqualTo("app1:conn-9-client");
        JsonObject late = object(post("/v1/jobs", job("presence:join", "job-g2", ROOM, "app1:conn-9", "{}")));
        assertThat(late.get("status").getAsString()).isEqualTo("ignored");
        assertThat(late.get("reason").getAsString()).contains("evicted as a ghost");

        post("/v1/connections/app1:conn-9/heartbeat", "");
        JsonObject alive = object(post("/v1/jobs", job("presence:join", "job-g3", ROOM, "app1:conn-9", "{}")));

        assertThat(alive.get("status").getAsString()).isEqualTo("applied");
        assertThat(get("/metrics").body()).contains("presence_ghosts_evicted_total 1.0", "presence_ghost_sweep_seconds_count",
                "presence_ghosts_backlog");
    }

    private String body(String path) {
        try {
            return get(path).body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void healthAnswers() throws Exception {
        start(Map.of());
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}\n");
        assertThat(live.headers().firstValue("Content-Type")).contains("application/json");
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(object(ready).get("status").getAsString()).isEqualTo("UP");
        assertThat(object(ready).getAsJsonObject("components").getAsJsonObject("memory").get("status").getAsString())
                .isEqualTo("UP");
    }

    static Module check(String component, Health health) {
        return binder -> Multibinder.newSetBinder(binder, HealthCheck.class).addBinding().toInstance(new HealthCheck() {
            @Override
            public String component() {
                return component;
            }

            @Override
            public Health check() {
                return health;
            }
        });
    }

    @Test
    void readinessFailsWhenAComponentIsDownButNotWhenOneIsDegraded() throws Exception {
        start(Map.of(), check("history", Health.degraded("postgres unreachable, 12 records waiting")),
                check("redis", Health.down("connection refused")));
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        JsonObject components = object(ready).getAsJsonObject("components");
        assertThat(object(ready).get("status").getAsString()).isEqualTo("DOWN");
        assertThat(components.getAsJsonObject("redis").get("detail").getAsString()).isEqualTo("connection refused");
        assertThat(components.getAsJsonObject("history").get("status").getAsString()).isEqualTo("DEGRADED");
        stop();

        start(Map.of(), check("history", Health.degraded("postgres unreachable")));
        HttpResponse<String> degraded = get("/health/ready");
        assertThat(degraded.statusCode()).isEqualTo(200);
        assertThat(object(degraded).get("status").getAsString()).isEqualTo("DEGRADED");
    }

    @Test
    void aJoinIsAppliedAndReadBack() throws Exception {
        start(Map.of());
        HttpResponse<String> accepted = post("/v1/jobs", job("presence:join", "j1", ROOM, "app1:conn1", "{\"mood\":\"happy\"}"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.body()).isEqualTo("{\"id\":\"j1\",\"status\":\"applied\"}\n");
        post("/v1/jobs", job("presence:join", "j2", ROOM, "app1:conn2", "null"));

        HttpResponse<String> members = get("/v1/rooms/" + ROOM + "/members");
        assertThat(members.statusCode()).isEqualTo(200);
        JsonArray array = JsonParser.parseString(members.body()).getAsJsonArray();
        assertThat(array).hasSize(2);
        JsonObject newest = array.get(0).getAsJsonObject();
        assertThat(newest.get("connectionId").getAsString()).isEqualTo("app1:conn2");
        assertThat(array.get(1).toString()).isEqualTo("{\"id\":\"app1:conn1-client\",\"clientId\":\"app1:conn1-client\","
                + "\"connectionId\":\"app1:conn1\",\"data\":{\"mood\":\"happy\"},\"timestamp\":\"2024-10-03T14:49:14.329Z\","
                + "\"event\":\"join\",\"user\":null}");
        assertThat(JsonParser.parseString(get("/v1/rooms/" + ROOM + "/members?limit=1").body()).getAsJsonArray())
                .hasSize(1);
        assertThat(get("/v1/rooms/" + encode(ROOM) + "/count").body()).isEqualTo("{\"count\":2}\n");
        assertThat(get("/v1/connections/app1:conn1/rooms").body()).isEqualTo("[\"app1:chat:lobby\"]\n");

        HttpResponse<String> history = get("/v1/rooms/" + ROOM + "/history?from=2024-10-03T00:00:00Z&to=2024-10-04T00:00:00Z");
        assertThat(history.statusCode()).isEqualTo(200);
        JsonArray records = JsonParser.parseString(history.body()).getAsJsonArray();
        assertThat(records).hasSize(2);
        assertThat(records.get(1).toString()).isEqualTo("{\"jobId\":\"j1\",\"eventIndex\":0,\"nspRoomId\":\"app1:chat:lobby\","
                + "\"connectionId\":\"app1:conn1\",\"clientId\":\"app1:conn1-client\",\"event\":\"join\","
                + "\"data\":{\"mood\":\"happy\"},\"user\":null,\"timestamp\":\"2024-10-03T14:49:14.329Z\"}");
        assertThat(JsonParser.parseString(get("/v1/rooms/" + ROOM + "/history?to=2024-10-03T14:49:14.329Z").body())
                .getAsJsonArray()).isEmpty();
    }

    @Test
    void aRepeatOrANonMemberLeaveIsAcceptedAndIgnored() throws Exception {
        start(Map.of());
        String join = job("presence:join", "j1", ROOM, "app1:conn1", "null");
        post("/v1/jobs", join);
        HttpResponse<String> repeat = post("/v1/jobs", join);
        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(object(repeat).get("status").getAsString()).isEqualTo("ignored");
        assertThat(object(repeat).get("reason").getAsString()).isEqualTo("duplicate of job j1, already applied");
        HttpResponse<String> leave = post("/v1/jobs", job("presence:leave", "l1", ROOM, "app1:other", "null"));
        assertThat(object(leave).get("status").getAsString()).isEqualTo("ignored");
        assertThat(get("/v1/rooms/" + ROOM + "/count").body()).isEqualTo("{\"count\":1}\n");
    }

    @Test
    void roomIdsAreUrlDecodedWhateverTheyHold() throws Exception {
        start(Map.of());
        String room = "app1:chat/room #1+ü?&=%";
        assertThat(post("/v1/jobs", job("presence:join", "j1", room, "app1:conn/1", "null")).statusCode()).isEqualTo(202);
        assertThat(get("/v1/rooms/" + encode(room) + "/count").body()).isEqualTo("{\"count\":1}\n");
        assertThat(get("/v1/connections/" + encode("app1:conn/1") + "/rooms").body())
                .isEqualTo("[" + com.google.gson.JsonParser.parseString("\"" + room + "\"") + "]\n");
        assertThat(get("/v1/rooms/" + encode("app1:chat/room #1") + "/count").body()).isEqualTo("{\"count\":0}\n");
    }

    @Test
    void aJobCoreRejectsIsA400WithCoresReason() throws Exception {
        start(Map.of("PRESENCE_MAX_DATA_BYTES", "16"));
        String mismatched = "{\"type\":\"presence:join\",\"id\":\"x\",\"data\":{\"clientId\":\"c\",\"nspRoomId\":\"app2:room\","
                + "\"session\":{\"appPid\":\"app1\",\"connectionId\":\"app1:c\"}}}";
        String data = "{\"clientId\":\"c\",\"nspRoomId\":\"app2:room\",\"session\":{\"appPid\":\"app1\",\"connectionId\":\"app1:c\"}}";
        String reason;
        try {
            new JobParser(16).parse(new RawJob("presence:join", "x", data.getBytes(StandardCharsets.UTF_8), false));
            throw new AssertionError("core accepted it");
        } catch (InvalidJobException e) {
            reason = e.getMessage();
        }
        HttpResponse<String> rejected = post("/v1/jobs", mismatched);
        assertThat(rejected.statusCode()).isEqualTo(400);
        assertThat(object(rejected).get("error").getAsString()).isEqualTo(reason)
                .isEqualTo("nspRoomId 'app2:room' belongs to app 'app2', not to session.appPid 'app1'");

        assertThat(object(post("/v1/jobs", job("presence:join", "big", ROOM, "app1:c", "\"0123456789abcdef\"")))
                .get("error").getAsString())
                .isEqualTo("message.data is 18 bytes, over the limit of 16 (PRESENCE_MAX_DATA_BYTES)");
        assertThat(object(post("/v1/jobs", job("presence:dance", "d", ROOM, "app1:c", "null"))).get("error").getAsString())
                .isEqualTo("unknown job type 'presence:dance'");
        assertThat(object(post("/v1/jobs", "{\"id\":\"x\",\"data\":{}}")).get("error").getAsString())
                .isEqualTo("missing job type ('type')");
        assertThat(object(post("/v1/jobs", "{\"type\":\"presence:join\",\"data\":{}}")).get("error").getAsString())
                .isEqualTo("missing job id ('id')");
        assertThat(get("/v1/rooms/" + ROOM + "/count").body()).isEqualTo("{\"count\":0}\n");
    }

    @Test
    void aBodyThatIsNoJobEnvelopeIsA400() throws Exception {
        start(Map.of());
        for (String body : List.of("", "not json", "[1,2]", "{\"type\":1,\"id\":\"x\",\"data\":{}}", "{} {}")) {
            HttpResponse<String> response = post("/v1/jobs", body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(object(response).get("error").getAsString()).as(body).isNotBlank();
        }
        assertThat(object(post("/v1/jobs", "{\"type\":1}")).get("error").getAsString()).isEqualTo("'type' must be a string");
    }

    @Test
    void anOversizedBodyIsA413() throws Exception {
        start(Map.of("PRESENCE_MAX_DATA_BYTES", "16"));
        HttpResponse<String> response = post("/v1/jobs", "{\"pad\":\"" + "x".repeat(300 * 1024) + "\"}");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(object(response).get("error").getAsString()).startsWith("request body is over ");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        start(Map.of());
        HttpResponse<String> missing = get("/v1/nothing/here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(object(missing).get("error").getAsString()).isEqualTo("no such route: GET /v1/nothing/here");
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/health/live/").statusCode()).isEqualTo(404);
        assertThat(get("/v1/rooms/" + ROOM).statusCode()).isEqualTo(404);

        HttpResponse<String> wrong = get("/v1/jobs");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).contains("POST");
        assertThat(object(wrong).get("error").getAsString()).isEqualTo("GET is not allowed on /v1/jobs; use POST");
        HttpResponse<String> postMembers = post("/v1/rooms/" + ROOM + "/members", "{}");
        assertThat(postMembers.statusCode()).isEqualTo(405);
        assertThat(postMembers.headers().firstValue("Allow")).contains("GET");
    }

    @Test
    void badParametersAre400WithAClearMessage() throws Exception {
        start(Map.of());
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("/v1/rooms/" + ROOM + "/members?limit=0", "limit must be a whole number between 1 and 10000, got '0'");
        cases.put("/v1/rooms/" + ROOM + "/members?limit=ten", "limit must be a whole number between 1 and 10000, got 'ten'");
        cases.put("/v1/rooms/" + ROOM + "/members?limit=1&limit=2", "query parameter 'limit' is given twice");
        cases.put("/v1/rooms/" + ROOM + "/history?from=yesterday",
                "from must be an ISO-8601 instant such as 2024-10-03T14:49:14.329Z, got 'yesterday'");
        cases.put("/v1/rooms/" + ROOM + "/history?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z",
                "from (2024-01-02T00:00:00Z) must be before to (2024-01-01T00:00:00Z)");
        cases.put("/v1/rooms/" + ROOM + "/history?limit=1001", "limit must be a whole number between 1 and 1000, got '1001'");
        cases.put("/v1/rooms/nocolon/count", "nspRoomId must be <appPid>:<roomId>, got 'nocolon'");
        cases.put("/v1/rooms/app1:/count", "nspRoomId 'app1:' has an empty roomId");
        cases.put("/v1/rooms/app1%C3%28x/count", "path is not UTF-8 once %-decoded");
        cases.put("/v1/connections//rooms", "connectionId must be non-empty");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = get(c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(object(response).get("error").getAsString()).as(c.getKey()).isEqualTo(c.getValue());
        }
        // The JDK's client will not send a malformed escape: say it over a socket (the JDK's server answers it).
        assertThat(rawGet("/v1/rooms/app1%zz/count")).startsWith("HTTP/1.1 400 ");

        // A '+' in a query value is a plus (a timestamp's offset), not a space.
        assertThat(get("/v1/rooms/" + ROOM + "/history?from=2024-10-03T14:49:14+02:00").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenGuardsEveryV1RouteButNotHealthOrMetrics() throws Exception {
        start(Map.of("PRESENCE_API_TOKEN", "s3cret-token"));
        HttpResponse<String> none = get("/v1/rooms/" + ROOM + "/count");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"presence\"");
        assertThat(get("/v1/rooms/" + ROOM + "/count", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/v1/rooms/" + ROOM + "/count", "Authorization", "Bearer s3cret-token-and-more").statusCode())
                .isEqualTo(401);
        assertThat(get("/v1/rooms/" + ROOM + "/count", "Authorization", "Basic s3cret-token").statusCode()).isEqualTo(401);
        assertThat(get("/v1/nothing", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(post("/v1/jobs", job("presence:join", "j1", ROOM, "app1:c", "null")).statusCode()).isEqualTo(401);

        assertThat(get("/v1/rooms/" + ROOM + "/count", "Authorization", "Bearer s3cret-token").body())
                .isEqualTo("{\"count\":0}\n");
        assertThat(post("/v1/jobs", job("presence:join", "j1", ROOM, "app1:c", "null"), "Authorization",
                "bearer s3cret-token").statusCode()).isEqualTo(202);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        start(Map.of());
        post("/v1/jobs", job("presence:join", "j1", ROOM, "app1:c", "null"));
        post("/v1/jobs", job("presence:join", "j1", ROOM, "app1:c", "null"));
        post("/v1/jobs", job("presence:leave", "l1", ROOM, "app1:other", "null"));
        post("/v1/jobs", job("presence:nope", "n1", ROOM, "app1:c", "null"));
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body())
                .contains("presence_jobs_total{outcome=\"applied\",type=\"presence:join\"} 1.0")
                .contains("presence_jobs_total{outcome=\"ignored\",type=\"presence:join\"} 1.0")
                .contains("presence_jobs_total{outcome=\"ignored\",type=\"presence:leave\"} 1.0")
                .contains("presence_jobs_total{outcome=\"rejected\",type=\"invalid\"} 1.0")
                .contains("presence_batch_size_count 4")
                .contains("presence_broadcasts_total{result=\"confirmed\"} 1.0")
                .contains("presence_history_records_total{result=\"recorded\"} 1.0")
                .contains("presence_job_end_to_end_seconds_count{clock=\"latency_log\"} 1")
                .contains("presence_batch_processing_seconds_bucket{le=\"0.001\"}")
                .contains("jvm_memory_used_bytes")
                .contains("process_uptime_seconds");
    }
}
