package com.relaybox.presence.app;

import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RedisKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private static final Duration WINDOW = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void aStopMidStreamLosesNothingAndKeepsEachRoomsOrder() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, JOBS_PER_ROOM);

            // A window longer than the test, so that every job's memory is still there to be counted.
            Map<String, String> env = services.env();
            env.put("PRESENCE_JOB_DUPLICATE_WINDOW_S", Long.toString(WINDOW.toSeconds()));
            // A backlog waiting before the service starts, so the stop finds it busy.
            publish(services, publisher, rooms, 0, BEFORE_STOP);
            try (JarProcess first = JarProcess.start(dir, env)) {
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
            try (JarProcess second = JarProcess.start(dir, env)) {
                second.awaitStarted();
                Poll.await(Duration.ofSeconds(120), "every job applied", () -> rooms.allApplied(services.redis));
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
            List<String> remembered = RedisKeys.scan(services.redis, "presence-job:" + services.jobPrefix + "*");
            assertThat(remembered).hasSize(total);
            assertThat(remembered).as("each acknowledged: remembered for the window only, not the job memory")
                    .allSatisfy(key -> assertThat(services.redis.pttl(key)).isBetween(1L, WINDOW.toMillis()));
            rooms.assertOneMemberEach(services.redis);
            // History: one record per job, none twice.
            assertThat(services.historyCounts()).containsExactly(total, total);
            assertThat(services.vhost.ready("presence-dlq")).isZero();

            rooms.assertFirstSightsInOrder(broadcasts);
        }
    }

    /** Publishes jobs {@code from..to-1} of every room, interleaved across rooms as a realtime service would. */
    private static void publish(ServicesFixture services, PresenceJobPublisher publisher, RoomStreams rooms, int from, int to) {
        List<PresenceJobPublisher.Job> batch = new ArrayList<>();
        for (int seq = from; seq < to; seq++) {
            for (int r : rooms.indices())
                batch.add(PresenceJobPublisher.Job.of(RoomStreams.type(seq), rooms.body(r, seq), services.jobPrefix + r + "-" + seq));
            if (batch.size() >= 500) {
                publisher.publishAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) publisher.publishAll(batch);
    }
}
