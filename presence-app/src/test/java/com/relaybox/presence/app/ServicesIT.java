package com.relaybox.presence.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Shard;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar in services mode against the real Redis, RabbitMQ and PostgreSQL: jobs published with the
 * job publisher come out as RelayBox's broadcasts and Redis keys (CONTRACT §3–§4), and read back over HTTP.
 */
class ServicesIT {
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void jobsBecomeBroadcastsRedisStateAndHttpReads() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            String app = services.appPid;
            String lobby = app + ":chat:lobby";
            String side = app + ":side";
            String conn1 = app + ":conn-1", conn2 = app + ":conn-2", conn3 = app + ":conn-3";

            try (JarProcess jar = JarProcess.start(dir, services.env())) {
                String base = "http://127.0.0.1:" + jar.awaitStarted();
                assertThat(jar.lines().get(0)).contains("event=starting version=").contains(" mode=services");
                HttpResponse<String> ready = get(base + "/health/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                JsonObject components = JsonParser.parseString(ready.body()).getAsJsonObject().getAsJsonObject("components");
                for (String component : List.of("redis", "rabbitmq", "consumers", "history"))
                    assertThat(components.getAsJsonObject(component).get("status").getAsString()).as(component).isEqualTo("UP");

                // Phase 1: joins, an update and a leave in the lobby; a join in another room.
                publisher.publishAll(List.of(
                        job(services, "j1", JobType.JOIN, lobby, conn1, "alice", "{\"n\":1}"),
                        job(services, "j2", JobType.JOIN, lobby, conn2, "bob", "{\"n\":2}"),
                        job(services, "j3", JobType.JOIN, lobby, conn3, "carol", "{\"n\":3}"),
                        job(services, "j4", JobType.UPDATE, lobby, conn2, "bob", "{\"n\":4}"),
                        job(services, "j5", JobType.LEAVE, lobby, conn3, "carol", "null"),
                        job(services, "j6", JobType.JOIN, side, conn1, "alice", "{\"n\":6}")));
                Poll.await(Duration.ofSeconds(30), "6 broadcasts", () -> broadcasts.size() >= 6);

                // CONTRACT §3: RelayBox's keys.
                assertThat(services.redis.hkeys("presence:" + lobby + ":members")).containsExactlyInAnyOrder(conn1, conn2);
                assertThat(services.redis.lrange("presence:" + lobby + ":index", 0, -1)).containsExactly(conn2, conn1);
                assertThat(JsonParser.parseString(services.redis.hget("presence:" + lobby + ":members", conn2)))
                        .isEqualTo(JsonParser.parseString("{\"id\":\"" + app + ":bob\",\"clientId\":\"" + app + ":bob\","
                                + "\"connectionId\":\"" + conn2 + "\",\"data\":{\"n\":4},\"timestamp\":\"2024-10-03T14:49:14.329Z\","
                                + "\"event\":\"update\",\"user\":{\"username\":\"bob\"}}"));
                assertThat(services.redis.hgetAll("connection:" + conn1 + ":presence-sets"))
                        .isEqualTo(Map.of(lobby, "1", side, "1"));
                assertThat(services.redis.exists("connection:" + conn3 + ":presence-sets")).isFalse();

                // Phase 2: the disconnect leaves both rooms (published after, so it cannot overtake the joins).
                publisher.publishAll(List.of(disconnect(services, "j7", conn1)));
                Poll.await(Duration.ofSeconds(30), "8 broadcasts", () -> broadcasts.size() >= 8);
                assertThat(services.redis.lrange("presence:" + lobby + ":index", 0, -1)).containsExactly(conn2);
                assertThat(services.redis.exists("presence:" + side + ":members")).isFalse();
                assertThat(services.redis.exists("presence:" + side + ":index")).isFalse();
                assertThat(services.redis.exists("connection:" + conn1 + ":presence-sets")).isFalse();

                // CONTRACT §4: the broadcasts, per room in order, with RelayBox's routing key and body.
                List<ServicesFixture.Broadcast> all = new ArrayList<>(broadcasts);
                assertThat(all).hasSize(8);
                assertThat(events(all, lobby)).containsExactly("join " + conn1, "join " + conn2, "join " + conn3,
                        "update " + conn2, "leave " + conn3, "leave " + conn1);
                assertThat(events(all, side)).containsExactly("join " + conn1, "leave " + conn1);
                ServicesFixture.Broadcast first = all.stream().filter(b -> b.room().equals(lobby)).findFirst().orElseThrow();
                assertThat(first.routingKey()).isEqualTo("$$:" + app + ":" + Shard.of(NspRoomId.parse(lobby), ServicesFixture.QUEUE_COUNT));
                assertThat(first.body().get("event").getAsString()).isEqualTo(lobby + ":$:presence:join");
                assertThat(first.data().get("data").toString()).isEqualTo("{\"n\":1}");
                assertThat(first.body().getAsJsonObject("session").get("connectionId").getAsString()).isEqualTo(conn1);
                assertThat(first.body().get("requestId").getAsString()).hasSize(36);

                // Read back over HTTP.
                JsonArray members = JsonParser.parseString(get(base + "/v1/rooms/" + enc(lobby) + "/members").body()).getAsJsonArray();
                assertThat(members).hasSize(1);
                assertThat(members.get(0).getAsJsonObject().get("connectionId").getAsString()).isEqualTo(conn2);
                assertThat(members.get(0).getAsJsonObject().get("data").toString()).isEqualTo("{\"n\":4}");
                assertThat(get(base + "/v1/rooms/" + enc(lobby) + "/count").body()).isEqualTo("{\"count\":1}\n");
                assertThat(get(base + "/v1/connections/" + enc(conn2) + "/rooms").body()).isEqualTo("[\"" + lobby + "\"]\n");
                assertThat(get(base + "/v1/connections/" + enc(conn1) + "/rooms").body()).isEqualTo("[]\n");
                Poll.await(Duration.ofSeconds(30), "history of the lobby in PostgreSQL", () ->
                        JsonParser.parseString(getQuietly(base + "/v1/rooms/" + enc(lobby) + "/history")).getAsJsonArray().size() == 6);
                JsonArray history = JsonParser.parseString(get(base + "/v1/rooms/" + enc(lobby) + "/history?limit=2").body())
                        .getAsJsonArray();
                assertThat(history).hasSize(2);
                assertThat(history.get(0).getAsJsonObject().get("jobId").getAsString()).isEqualTo(services.jobPrefix + "j7");
                assertThat(history.get(0).getAsJsonObject().get("event").getAsString()).isEqualTo("leave");

                // POST /v1/jobs publishes to the shard queue; a job core rejects is refused, never published.
                HttpResponse<String> queued = post(base + "/v1/jobs", "{\"type\":\"presence:join\",\"id\":\"" + services.jobPrefix
                        + "h1\",\"data\":" + body(app, lobby, app + ":conn-4", "dave", "null") + "}");
                assertThat(queued.statusCode()).isEqualTo(202);
                assertThat(queued.body()).isEqualTo("{\"id\":\"" + services.jobPrefix + "h1\",\"status\":\"queued\"}\n");
                Poll.await(Duration.ofSeconds(30), "the HTTP job applied",
                        () -> getQuietly(base + "/v1/rooms/" + enc(lobby) + "/count").equals("{\"count\":2}\n"));
                HttpResponse<String> refused = post(base + "/v1/jobs", "{\"type\":\"presence:join\",\"id\":\"" + services.jobPrefix
                        + "h2\",\"data\":" + body("otherapp", lobby, app + ":conn-5", "eve", "null") + "}");
                assertThat(refused.statusCode()).isEqualTo(400);
                assertThat(refused.body()).contains("not to session.appPid 'otherapp'");
                assertThat(services.vhost.ready("presence-dlq")).isZero();

                // The HTTP job's state shows before its broadcast is confirmed and its batch counted: poll.
                List<String> expected = List.of(
                        "presence_jobs_total{outcome=\"applied\",type=\"presence:join\"} 5.0",
                        "presence_jobs_total{outcome=\"applied\",type=\"presence:disconnect\"} 1.0",
                        "presence_broadcasts_total{result=\"confirmed\"} 9.0",
                        "presence_job_end_to_end_seconds_count{clock=\"published\"} 8",
                        "presence_consumer_lag_messages{shard=\"0\"}",
                        "presence_dead_letters_messages",
                        "presence_history_backlog_messages");
                String[] metrics = {""};
                try {
                    Poll.await(Duration.ofSeconds(30), "metrics",
                            () -> expected.stream().allMatch((metrics[0] = getQuietly(base + "/metrics"))::contains));
                } catch (AssertionError timedOut) {
                    assertThat(metrics[0]).contains(expected);
                }

                jar.terminate();
                assertThat(jar.awaitExit(Duration.ofSeconds(15))).isEqualTo(0);
                assertThat(jar.lines()).anyMatch(line -> line.contains("event=shutdown_complete clean=true"));
            }
        }
    }

    private static List<String> events(List<ServicesFixture.Broadcast> broadcasts, String room) {
        return broadcasts.stream().filter(b -> b.room().equals(room))
                .map(b -> b.data().get("event").getAsString() + " " + b.data().get("connectionId").getAsString()).toList();
    }

    static String body(String appPid, String room, String connection, String client, String data) {
        String clientId = appPid + ":" + client;
        return "{\"clientId\":\"" + clientId + "\",\"nspRoomId\":\"" + room + "\",\"session\":{\"appPid\":\"" + appPid
                + "\",\"connectionId\":\"" + connection + "\",\"clientId\":\"" + clientId + "\",\"user\":{\"username\":\""
                + client + "\"}},\"message\":{\"data\":" + data + ",\"timestamp\":\"2024-10-03T14:49:14.329Z\"}}";
    }

    static PresenceJobPublisher.Job job(ServicesFixture services, String id, JobType type, String room, String connection,
                                        String client, String data) {
        return PresenceJobPublisher.Job.of(type, body(services.appPid, room, connection, client, data), services.jobPrefix + id);
    }

    static PresenceJobPublisher.Job disconnect(ServicesFixture services, String id, String connection) {
        return PresenceJobPublisher.Job.of(JobType.DISCONNECT, "{\"session\":{\"appPid\":\"" + services.appPid
                + "\",\"connectionId\":\"" + connection + "\"},\"timestamp\":\"2024-10-03T14:50:00.000Z\"}", services.jobPrefix + id);
    }

    static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String getQuietly(String uri) {
        try {
            return get(uri).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(String uri, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
