package com.relaybox.presence.app;

import com.google.gson.JsonParser;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RedisKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM in the middle of a stream of jobs on quorum queues, then a restart: every job is applied
 * exactly once in state, and every room's jobs are applied (and broadcast) in order. Each room's
 * stream is a join then updates carrying a sequence number, so a reordering would show in the
 * broadcasts and could leave an earlier number as the member's final data.
 */
class ShutdownIT {
    private static final int ROOMS = 8;
    private static final int JOBS_PER_ROOM = 1_000;
    private static final int BEFORE_STOP = 600;

    @TempDir
    Path dir;

    @Test
    void aStopMidStreamLosesNothingAndKeepsEachRoomsOrder() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            List<String> rooms = new ArrayList<>();
            for (int r = 0; r < ROOMS; r++) rooms.add(services.appPid + ":room-" + r);

            // A backlog waiting before the service starts, so the stop finds it busy.
            publish(services, publisher, rooms, 0, BEFORE_STOP);
            try (JarProcess first = JarProcess.start(dir, services.env())) {
                first.awaitStarted();
                Poll.await(Duration.ofSeconds(60), "the first service to apply some jobs",
                        () -> broadcasts.size() >= 200);
                first.terminate();
                assertThat(first.awaitExit(Duration.ofSeconds(15))).as("exit code after SIGTERM").isEqualTo(0);
                assertThat(first.lines()).anyMatch(line -> line.contains("event=shutdown_complete clean=true"));
            }
            long leftOver = services.jobsWaiting();
            assertThat(leftOver).as("jobs left in the queues when the first service stopped").isPositive();

            // More jobs while no service runs, then a new service takes over.
            publish(services, publisher, rooms, BEFORE_STOP, JOBS_PER_ROOM);
            try (JarProcess second = JarProcess.start(dir, services.env())) {
                second.awaitStarted();
                Poll.await(Duration.ofSeconds(120), "every job applied", () -> lastSequences(services, rooms)
                        .values().stream().allMatch(seq -> seq == JOBS_PER_ROOM - 1));
                Poll.await(Duration.ofSeconds(30), "the queues drained", () -> services.jobsWaiting() == 0);
                Poll.await(Duration.ofSeconds(60), "all history in PostgreSQL", () -> {
                    try {
                        return services.historyCounts()[0] >= ROOMS * JOBS_PER_ROOM;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                second.terminate();
                assertThat(second.awaitExit(Duration.ofSeconds(15))).isEqualTo(0);
            }

            int total = ROOMS * JOBS_PER_ROOM;
            // Exactly once in state: each job id is remembered once, each room holds its one member with the last data.
            assertThat(RedisKeys.scan(services.redis, "presence-job:" + services.jobPrefix + "*")).hasSize(total);
            for (String room : rooms) {
                assertThat(services.redis.llen("presence:" + room + ":index")).isEqualTo(1);
                assertThat(services.redis.hlen("presence:" + room + ":members")).isEqualTo(1);
            }
            // History: one record per job, none twice.
            assertThat(services.historyCounts()).containsExactly(total, total);
            assertThat(services.vhost.ready("presence-dlq")).isZero();

            // Broadcasts: at least once each, and per room the first sight of each job in order; a repeat
            // (a redelivery after the stop) carries the same data as the first.
            Map<String, List<Integer>> firstSeen = new HashMap<>();
            Map<String, String> dataOf = new HashMap<>();
            for (ServicesFixture.Broadcast broadcast : broadcasts) {
                int seq = broadcast.data().getAsJsonObject("data").get("seq").getAsInt();
                String key = broadcast.room() + "#" + seq;
                String data = broadcast.data().toString();
                String earlier = dataOf.putIfAbsent(key, data);
                if (earlier == null) firstSeen.computeIfAbsent(broadcast.room(), r -> new ArrayList<>()).add(seq);
                else assertThat(data).as("repeat of %s", key).isEqualTo(earlier);
            }
            for (String room : rooms) {
                List<Integer> expected = new ArrayList<>();
                for (int seq = 0; seq < JOBS_PER_ROOM; seq++) expected.add(seq);
                assertThat(firstSeen.get(room)).as("order of %s", room).isEqualTo(expected);
            }
        }
    }

    /** Publishes jobs {@code from..to-1} of every room, interleaved across rooms as a realtime service would. */
    private static void publish(ServicesFixture services, PresenceJobPublisher publisher, List<String> rooms, int from, int to) {
        List<PresenceJobPublisher.Job> batch = new ArrayList<>();
        for (int seq = from; seq < to; seq++) {
            for (int r = 0; r < rooms.size(); r++) {
                String connection = services.appPid + ":conn-" + r;
                String body = ServicesIT.body(services.appPid, rooms.get(r), connection, "client-" + r, "{\"seq\":" + seq + "}");
                batch.add(PresenceJobPublisher.Job.of(seq == 0 ? JobType.JOIN : JobType.UPDATE, body,
                        services.jobPrefix + r + "-" + seq));
            }
            if (batch.size() >= 500) {
                publisher.publishAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) publisher.publishAll(batch);
    }

    /** Each room's member's current {@code data.seq} (-1 while it has none). */
    private static Map<String, Integer> lastSequences(ServicesFixture services, List<String> rooms) {
        Map<String, Integer> sequences = new HashMap<>();
        for (int r = 0; r < rooms.size(); r++) {
            String member = services.redis.hget("presence:" + rooms.get(r) + ":members", services.appPid + ":conn-" + r);
            sequences.put(rooms.get(r), member == null ? -1
                    : JsonParser.parseString(member).getAsJsonObject().getAsJsonObject("data").get("seq").getAsInt());
        }
        return sequences;
    }
}
