package com.relaybox.presence.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.adapter.bullmq.BullMqQueue;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Shard;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.PrivateRedis;
import com.relaybox.presence.testkit.RedisKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar taking RelayBox's BullMQ jobs (CONTRACT §7) as the real bullmq 5.16.0 enqueues them, against
 * the real Redis, RabbitMQ and PostgreSQL, each test on a queue (key prefix), vhost and schema of its
 * own: what the jar makes of them in Redis (§3), on RabbitMQ (§4) and in PostgreSQL (§5), through
 * kills, a second instance, and server restarts; and what BullMQ's own API says of the queue after.
 */
class BullMqIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final int SHARED_REDIS = 6379;
    private static final int ROOMS = 4;
    private static final int PER_ROOM = 100;
    /** Sequence numbers per producer call: 40 jobs a call, so a stream lasts a few seconds. */
    private static final int SEQS_PER_CALL = 10;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void jobsOfBothIntakesAtOnceBecomeRelayBoxStateBroadcastsAndHistory() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            BullMqQueue queue = services.bullMq(SHARED_REDIS);
            String app = services.appPid;
            String lobby = app + ":lobby";
            String conn1 = app + ":conn-a", conn2 = app + ":conn-b";
            RoomStreams bullRooms = new RoomStreams(app, 0, 2, 50);
            RoomStreams rabbitRooms = new RoomStreams(app, 2, 2, 50);

            try (JarProcess jar = JarProcess.start(dir, services.env(queue, SHARED_REDIS))) {
                String base = "http://127.0.0.1:" + jar.awaitStarted();
                Poll.await(WITHIN, "the BullMQ intake consuming", () -> bullMqHealth(base).contains("consuming"));

                List<String> ids = queue.add(List.of(
                        BullMqQueue.Job.of("presence:join", ServicesIT.body(app, lobby, conn1, "alice", "{\"n\":1}")),
                        BullMqQueue.Job.of("presence:join", ServicesIT.body(app, lobby, conn2, "bob", "{\"n\":2}")),
                        BullMqQueue.Job.of("presence:update", ServicesIT.body(app, lobby, conn2, "bob", "{\"n\":3}")),
                        BullMqQueue.Job.of("presence:leave", ServicesIT.body(app, lobby, conn1, "alice", "null")),
                        BullMqQueue.Job.of("presence:join", ServicesIT.body("otherapp", lobby, conn1, "alice", "null"))));
                // Both intakes at once: a stream on each, to rooms of their own, while the lobby's jobs go through.
                CompletableFuture<Void> bullStream = CompletableFuture.runAsync(() -> enqueue(queue, bullRooms, 0, bullRooms.perRoom));
                List<PresenceJobPublisher.Job> rabbitJobs = new ArrayList<>();
                for (int seq = 0; seq < rabbitRooms.perRoom; seq++)
                    for (int r : rabbitRooms.indices())
                        rabbitJobs.add(PresenceJobPublisher.Job.of(RoomStreams.type(seq), rabbitRooms.body(r, seq),
                                services.jobPrefix + r + "-" + seq));
                publisher.publishAll(rabbitJobs);
                bullStream.join();
                Poll.await(WITHIN, "every stream applied", () -> bullRooms.allApplied(services.redis)
                        && rabbitRooms.allApplied(services.redis));
                Poll.await(WITHIN, "the lobby's four broadcasts", () -> inRoom(broadcasts, lobby).size() == 4);
                awaitDrained(queue);

                // §4, byte for byte: RelayBox's routing key and body; each room's broadcasts in order.
                List<ServicesFixture.Broadcast> lobbyBroadcasts = inRoom(broadcasts, lobby);
                assertThat(lobbyBroadcasts).extracting(b -> b.data().get("event").getAsString() + " " + b.data().get("connectionId").getAsString())
                        .containsExactly("join " + conn1, "join " + conn2, "update " + conn2, "leave " + conn1);
                ServicesFixture.Broadcast first = lobbyBroadcasts.get(0);
                assertThat(first.routingKey()).isEqualTo("$$:" + app + ":" + Shard.of(NspRoomId.parse(lobby), ServicesFixture.QUEUE_COUNT));
                String requestId = first.body().get("requestId").getAsString();
                assertThat(requestId).hasSize(36);
                assertThat(first.raw()).isEqualTo("{\"nspRoomId\":\"" + lobby + "\",\"event\":\"" + lobby + ":$:presence:join\","
                        + "\"data\":{\"id\":\"" + app + ":alice\",\"clientId\":\"" + app + ":alice\",\"connectionId\":\"" + conn1 + "\","
                        + "\"data\":{\"n\":1},\"timestamp\":\"2024-10-03T14:49:14.329Z\",\"event\":\"join\",\"user\":{\"username\":\"alice\"}},"
                        + "\"session\":{\"appPid\":\"" + app + "\",\"connectionId\":\"" + conn1 + "\",\"clientId\":\"" + app + ":alice\","
                        + "\"user\":{\"username\":\"alice\"}},\"requestId\":\"" + requestId + "\"}");
                bullRooms.assertFirstSightsInOrder(broadcasts);
                rabbitRooms.assertFirstSightsInOrder(broadcasts);

                // §3: RelayBox's keys; the member JSON is the broadcast's data, byte for byte.
                assertThat(services.redis.lrange("presence:" + lobby + ":index", 0, -1)).containsExactly(conn2);
                String member = services.redis.hget("presence:" + lobby + ":members", conn2);
                assertThat(lobbyBroadcasts.get(2).raw()).contains("\"data\":" + member + ",");
                assertThat(services.redis.hgetAll("connection:" + conn2 + ":presence-sets")).isEqualTo(Map.of(lobby, "1"));
                assertThat(services.redis.exists("connection:" + conn1 + ":presence-sets")).isFalse();

                // §5: in PostgreSQL, by the job's key in BullMQ.
                Poll.await(WITHIN, "the lobby's history", () -> history(base, lobby).size() == 4);
                assertThat(history(base, lobby)).extracting(row -> row.getAsJsonObject().get("event").getAsString() + " "
                        + row.getAsJsonObject().get("jobId").getAsString()).containsExactly("leave " + queue.key(ids.get(3)),
                        "update " + queue.key(ids.get(2)), "join " + queue.key(ids.get(1)), "join " + queue.key(ids.get(0)));
                Poll.await(WITHIN, "every stream's history", () -> recorded(services)
                        == 4 + bullRooms.total() + rabbitRooms.total());
                assertThat(services.historyCounts()[1]).isEqualTo(4 + bullRooms.total() + rabbitRooms.total());

                // What BullMQ's API shows: the rejected job failed with its §6 reason, kept; the others done and removed.
                assertThat(queue.counts()).containsEntry("failed", 1.0).containsEntry("completed", 0.0);
                JsonObject failed = queue.failed().get(0).getAsJsonObject();
                assertThat(failed.get("id").getAsString()).isEqualTo(ids.get(4));
                assertThat(failed.get("failedReason").getAsString()).contains("not to session.appPid 'otherapp'");
                assertThat(services.vhost.ready("presence-dlq")).isZero();
                // Finished, so remembered for the duplicate window only; the rejected job left no memory.
                List<String> remembered = RedisKeys.scan(queue.redis, "presence-job:" + queue.prefix + ":*");
                assertThat(remembered).hasSize(4 + bullRooms.total());
                assertThat(remembered).allSatisfy(key -> assertThat(queue.redis.pttl(key)).as(key)
                        .isBetween(1L, ServicesFixture.LONG_WINDOW.toMillis()));
                List<String> expected = List.of(
                        "presence_intake_jobs_total{intake=\"bullmq\",result=\"completed\"} " + (4.0 + bullRooms.total()),
                        "presence_intake_jobs_total{intake=\"bullmq\",result=\"failed\"} 1.0",
                        "presence_bullmq_lease_held 1.0");
                String[] metrics = {""};
                if (!Poll.until(WITHIN, () -> expected.stream().allMatch((metrics[0] = get(base + "/metrics"))::contains)))
                    assertThat(metrics[0]).contains(expected);

                stopCleanly(jar);
                assertThat(jar.lines()).anyMatch(line -> line.contains("event=bullmq_lease_released"));
            }
        }
    }

    @Test
    void aKillMidStreamAndARestartApplyEveryJobOnceLeavingNoneActiveNorFailed() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            BullMqQueue queue = services.bullMq(SHARED_REDIS);
            RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, PER_ROOM);
            Map<String, String> env = services.env(queue, SHARED_REDIS);

            CompletableFuture<Void> stream;
            try (JarProcess first = JarProcess.start(dir, env)) {
                first.awaitStarted();
                stream = CompletableFuture.runAsync(() -> enqueue(queue, rooms, 0, PER_ROOM));
                Poll.await(WITHIN, "some jobs applied", () -> broadcasts.size() >= 100);
                first.kill();
                assertThat(stream).as("the stream, still going at the kill").isNotDone();
            }
            try (JarProcess second = JarProcess.start(dir, env)) {
                second.awaitStarted();
                stream.join();
                assertEveryJobAppliedOnceInOrder(services, queue, rooms, broadcasts);
                assertThat(second.lines()).anyMatch(line -> line.contains("event=bullmq_lease_taken"));
                stopCleanly(second);
            }
        }
    }

    @Test
    void twoInstancesAtOnceWithTheConsumingOneKilledKeepEachRoomsOrderAndLoseNothing() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            BullMqQueue queue = services.bullMq(SHARED_REDIS);
            RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, PER_ROOM);
            Map<String, String> env = services.env(queue, SHARED_REDIS);

            try (JarProcess a = JarProcess.start(dir, env); JarProcess b = JarProcess.start(dir, env)) {
                String baseA = "http://127.0.0.1:" + a.awaitStarted();
                String baseB = "http://127.0.0.1:" + b.awaitStarted();
                Poll.await(WITHIN, "one instance consuming, the other standing by", () -> {
                    String healthA = bullMqHealth(baseA), healthB = bullMqHealth(baseB);
                    return healthA.contains("consuming") != healthB.contains("consuming")
                            && (healthA.contains("standing by") || healthB.contains("standing by"));
                });
                boolean aConsumes = bullMqHealth(baseA).contains("consuming");
                JarProcess holder = aConsumes ? a : b, survivor = aConsumes ? b : a;
                String survivorBase = aConsumes ? baseB : baseA;

                CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> enqueue(queue, rooms, 0, PER_ROOM));
                Poll.await(WITHIN, "some jobs applied", () -> broadcasts.size() >= 100);
                holder.kill();
                assertThat(stream).as("the stream, still going at the kill").isNotDone();
                Poll.await(WITHIN, "the other instance to take over", () -> bullMqHealth(survivorBase).contains("consuming"));
                stream.join();
                assertEveryJobAppliedOnceInOrder(services, queue, rooms, broadcasts);
                assertThat(survivor.lines()).anyMatch(line -> line.contains("event=bullmq_lease_taken"));
                stopCleanly(survivor);
            }
        }
    }

    /**
     * Redis killed (SIGKILL; it keeps its data in an fsync'ed append-only file) and started again while
     * the jar consumes, then every RabbitMQ connection of the vhost closed by the broker (the shared
     * broker is never restarted; a private node starts too slowly here).
     */
    @Test
    void aRedisRestartAndLostRabbitMqConnectionsMidStreamLoseNothingAndFailNothing() throws Exception {
        try (PrivateRedis redis = new PrivateRedis("--save", "", "--appendonly", "yes", "--appendfsync", "always").start();
             ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listenThroughConnectionLoss();
            BullMqQueue queue = services.bullMq(redis.port);
            RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, PER_ROOM);
            int backlog = PER_ROOM / 2;
            enqueue(queue, rooms, 0, backlog);

            try (JarProcess jar = JarProcess.start(dir, services.env(queue, redis.port))) {
                jar.awaitStarted();
                Poll.await(WITHIN, "some jobs applied", () -> broadcasts.size() >= 50);
                redis.kill();
                jar.awaitLine(line -> line.contains("event=bullmq_unavailable") || line.contains("event=bullmq_batch_retrying"), WITHIN);
                redis.start();

                CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> enqueue(queue, rooms, backlog, PER_ROOM));
                Poll.await(WITHIN, "jobs enqueued after the restart applied", () -> broadcasts.size() > backlog * ROOMS + 40);
                services.vhost.closeAllConnections();
                stream.join();
                assertEveryJobAppliedOnceInOrder(services, queue, rooms, broadcasts);
                stopCleanly(jar);
            }
        }
    }

    /** SIGTERM: the jar exits with 0, having given back what it did not finish. */
    private static void stopCleanly(JarProcess jar) throws InterruptedException {
        jar.terminate();
        assertThat(jar.awaitExit(Duration.ofSeconds(15))).as("exit code after SIGTERM").isEqualTo(0);
    }

    /** Enqueues jobs {@code from..to-1} of every room with the real bullmq, interleaved across rooms, a few calls a second. */
    private static void enqueue(BullMqQueue queue, RoomStreams rooms, int from, int to) {
        for (int start = from; start < to; start += SEQS_PER_CALL) {
            List<BullMqQueue.Job> jobs = new ArrayList<>();
            for (int seq = start; seq < Math.min(to, start + SEQS_PER_CALL); seq++)
                for (int r : rooms.indices())
                    jobs.add(BullMqQueue.Job.of(RoomStreams.type(seq).wireName(), rooms.body(r, seq)));
            queue.add(jobs);
        }
    }

    /**
     * Every job applied exactly once in state (each job's key remembered once, each room's member with
     * its last data), recorded once, broadcast in order per room; and in BullMQ none waiting, active,
     * failed, or kept.
     */
    private static void assertEveryJobAppliedOnceInOrder(ServicesFixture services, BullMqQueue queue, RoomStreams rooms,
                                                         ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts)
            throws Exception {
        Poll.await(WITHIN, "every job applied", () -> rooms.allApplied(queue.redis));
        awaitDrained(queue);
        Poll.await(WITHIN, "all history in PostgreSQL", () -> recorded(services) >= rooms.total());
        assertThat(queue.counts()).containsEntry("failed", 0.0).containsEntry("completed", 0.0)
                .containsEntry("active", 0.0).containsEntry("waiting", 0.0);
        // The window is longer than the test: each job's memory is there to count. Some may have kept the long
        // memory (an instance killed between a finish and its shortening, Redis down then): harmless, not asserted.
        assertThat(RedisKeys.scan(queue.redis, "presence-job:" + queue.prefix + ":*")).hasSize(rooms.total());
        rooms.assertOneMemberEach(queue.redis);
        assertThat(services.historyCounts()).containsExactly(rooms.total(), rooms.total());
        rooms.assertFirstSightsInOrder(broadcasts);
    }

    /** How many history rows of the test's app PostgreSQL holds. */
    private static long recorded(ServicesFixture services) {
        try {
            return services.historyCounts()[0];
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitDrained(BullMqQueue queue) {
        Poll.await(WITHIN, "the BullMQ queue drained", () -> {
            Map<String, Double> counts = queue.counts();
            return counts.get("waiting") == 0 && counts.get("active") == 0;
        });
    }

    private static List<ServicesFixture.Broadcast> inRoom(ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts, String room) {
        return broadcasts.stream().filter(broadcast -> broadcast.room().equals(room)).toList();
    }

    private JsonArray history(String base, String room) {
        return JsonParser.parseString(get(base + "/v1/rooms/" + ServicesIT.enc(room) + "/history")).getAsJsonArray();
    }

    /** The BullMQ intake's line in {@code /health/ready}: its status and detail. */
    private String bullMqHealth(String base) {
        JsonObject component = JsonParser.parseString(get(base + "/health/ready")).getAsJsonObject()
                .getAsJsonObject("components").getAsJsonObject("bullmq");
        return component.toString();
    }

    private String get(String uri) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
