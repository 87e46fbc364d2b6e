package com.relaybox.presence.app;

import com.relaybox.presence.adapter.bullmq.BullMqQueue;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RedisKeys;
import com.relaybox.presence.testkit.RedisSentinelGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar on a Redis primary with one replica and three Sentinels (each a private server), both
 * intakes streaming jobs, when the primary is killed (SIGKILL) with writes it acknowledged that
 * its replica does not have: the replica is made to fall behind first (paused, its replication link
 * full) and resumed as the primary dies. Sentinel promotes it, the jar follows without a restart, and the killed
 * server comes back as a replica, as a supervisor would restart it. What the README's "Redis
 * Sentinel" section promises, exactly: with {@code PRESENCE_REDIS_WAIT_REPLICAS=1} no acknowledged
 * job is lost; without it, the RabbitMQ jobs acknowledged while the replica lagged lose their state
 * change, and everything else still holds.
 */
class RedisSentinelFailoverIT {
    private static final Duration WITHIN = Duration.ofSeconds(90);
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    private static final int RABBIT_PER_ROOM = 300;
    private static final int BULL_PER_ROOM = 60;
    /**
     * Where the streams wait: RabbitMQ's until the replica is behind (so jobs flow while it is), each
     * until the primary is killed (so jobs flow after the failover too).
     */
    private static final int RABBIT_HOLD_UNTIL_STALLED = 100;
    private static final int RABBIT_HOLD_UNTIL_KILLED = 200;
    private static final int BULL_HOLD_UNTIL_KILLED = 30;
    private static final int SEQS_PER_CALL = 5;

    @TempDir
    Path dir;

    @Test
    void waitingForOneReplicaNoAcknowledgedJobIsLostWhenThePrimaryDies() throws Exception {
        Outcome outcome = failOverUnderLoad(true);

        assertThat(outcome.rabbitJobRecords).as("RabbitMQ jobs remembered on the new primary").isEqualTo(outcome.rabbitTotal);
        assertThat(outcome.bullJobRecords).as("BullMQ jobs remembered on the new primary").isEqualTo(outcome.bullTotal);
        assertThat(outcome.jarLines).anyMatch(line -> line.contains("replicas asked for"));
    }

    @Test
    void withoutWaitingTheJarFollowsThePromotionAndLosesOnlyWhatTheReplicaLacked() throws Exception {
        Outcome outcome = failOverUnderLoad(false);

        // Acknowledged to RabbitMQ while the replica lagged, so gone from the queue and, with the old
        // primary, from Redis: their state change is lost (a later job of the room overwrote it here).
        assertThat(outcome.rabbitJobRecords).as("RabbitMQ jobs remembered on the new primary").isLessThan(outcome.rabbitTotal);
        // A BullMQ job's completion is in Redis too: one lost with it is taken and applied again.
        assertThat(outcome.bullJobRecords).as("BullMQ jobs remembered on the new primary").isEqualTo(outcome.bullTotal);
        assertThat(outcome.jarLines).noneMatch(line -> line.contains("replicas asked for"));
    }

    private record Outcome(long rabbitTotal, long rabbitJobRecords, long bullTotal, long bullJobRecords, List<String> jarLines) {
    }

    /**
     * Both streams, the lagging replica, the kill, the promotion and the old primary's return; then
     * what holds with or without {@code WAIT}: every job applied (each room ends on its last job), in
     * order, recorded in history once, none waiting, active or failed in either intake, the jar
     * never restarted.
     */
    private Outcome failOverUnderLoad(boolean waitForReplica) throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.start(); ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            RoomStreams rabbitRooms = new RoomStreams(services.appPid, 0, 2, RABBIT_PER_ROOM);
            RoomStreams bullRooms = new RoomStreams(services.appPid, 2, 2, BULL_PER_ROOM);
            int firstPrimary = group.primaryPort();
            List<BullMqQueue> queues = new CopyOnWriteArrayList<>();
            BullMqQueue queue = services.bullMq(firstPrimary);
            queues.add(queue);

            Map<String, String> env = services.env();
            env.remove("REDIS_HOST");
            env.put("REDIS_SENTINELS", group.sentinelAddresses());
            env.put("REDIS_SENTINEL_MASTER", RedisSentinelGroup.MASTER_NAME);
            env.put("PRESENCE_REDIS_WAIT_REPLICAS", waitForReplica ? "1" : "0");
            env.put("PRESENCE_REDIS_WAIT_TIMEOUT_MS", "200");
            env.put("PRESENCE_BULLMQ_PREFIX", queue.prefix);
            env.put("PRESENCE_BULLMQ_LOCK_DURATION_MS", "2000");
            env.put("PRESENCE_BULLMQ_STALLED_INTERVAL_MS", "1000");

            ReentrantLock producing = new ReentrantLock();
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch killed = new CountDownLatch(1);
            try (JarProcess jar = JarProcess.start(dir, env)) {
                jar.awaitStarted();
                jar.awaitLine(line -> line.contains("event=bullmq_lease_taken"), WITHIN);

                CompletableFuture<Void> rabbitStream = CompletableFuture.runAsync(() -> {
                    for (int seq = 0; seq < RABBIT_PER_ROOM; seq++) {
                        if (seq == RABBIT_HOLD_UNTIL_STALLED) await(stalled);
                        if (seq == RABBIT_HOLD_UNTIL_KILLED) await(killed);
                        List<PresenceJobPublisher.Job> jobs = new ArrayList<>();
                        for (int r : rabbitRooms.indices())
                            jobs.add(PresenceJobPublisher.Job.of(RoomStreams.type(seq), rabbitRooms.body(r, seq),
                                    services.jobPrefix + r + "-" + seq));
                        publisher.publishAll(jobs);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(15));
                    }
                });
                CompletableFuture<Void> bullStream = CompletableFuture.runAsync(() -> {
                    for (int start = 0; start < BULL_PER_ROOM; start += SEQS_PER_CALL) {
                        if (start == BULL_HOLD_UNTIL_KILLED) await(killed);
                        List<BullMqQueue.Job> jobs = new ArrayList<>();
                        for (int seq = start; seq < start + SEQS_PER_CALL; seq++)
                            for (int r : bullRooms.indices())
                                jobs.add(BullMqQueue.Job.of(RoomStreams.type(seq).wireName(), bullRooms.body(r, seq)));
                        enqueueReplicated(group, queues, jobs, producing);
                    }
                });

                Poll.await(WITHIN, "both streams flowing", () -> count(broadcasts, rabbitRooms) >= 40
                        && count(broadcasts, bullRooms) >= 20);
                int replica = group.replicaPorts().get(0);
                int formerPrimary;
                producing.lock();
                try {
                    group.stallReplica(replica);
                    stalled.countDown();
                    if (waitForReplica) {
                        jar.awaitLine(line -> line.contains("replicas asked for"), WITHIN);
                    } else {
                        long before = count(broadcasts, rabbitRooms);
                        Poll.await(WITHIN, "jobs acknowledged that the paused replica lacks",
                                () -> count(broadcasts, rabbitRooms) >= before + 40);
                    }
                    formerPrimary = group.killPrimary();
                    group.resume(replica);
                } finally {
                    stalled.countDown();
                    producing.unlock();
                }
                killed.countDown();
                int promoted = group.awaitPromotion(formerPrimary, FAILOVER);
                assertThat(promoted).isEqualTo(replica);
                group.restart(formerPrimary, FAILOVER);

                rabbitStream.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
                bullStream.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
                try (RedisClient redis = RedisClient.builder().hostAndPort("127.0.0.1", promoted).build()) {
                    BullMqQueue onPromoted = queues.get(queues.size() - 1);
                    Poll.await(WITHIN, "every job of both streams applied on the new primary",
                            () -> rabbitRooms.allApplied(redis) && bullRooms.allApplied(redis));
                    Poll.await(WITHIN, "the BullMQ queue drained", () -> {
                        Map<String, Double> counts = onPromoted.counts();
                        return counts.get("waiting") == 0 && counts.get("active") == 0;
                    });
                    Poll.await(WITHIN, "the shard queues drained", () -> services.jobsWaiting() == 0);
                    long total = rabbitRooms.total() + bullRooms.total();
                    Poll.await(WITHIN, "every job's history", () -> historyRows(services) >= total);

                    assertThat(jar.pid()).as("the same jar throughout").isPositive();
                    assertThat(onPromoted.counts()).containsEntry("failed", 0.0).containsEntry("completed", 0.0);
                    assertThat(services.vhost.ready("presence-dlq")).isZero();
                    assertThat(services.historyCounts()).containsExactly(total, total);
                    rabbitRooms.assertOneMemberEach(redis);
                    bullRooms.assertOneMemberEach(redis);
                    rabbitRooms.assertFirstSightsInOrder(broadcasts);
                    bullRooms.assertFirstSightsInOrder(broadcasts);
                    assertThat(jar.lines()).anyMatch(line -> line.contains("event=redis_available")
                            && line.contains("primary=127.0.0.1:" + promoted));
                    long rabbitRecords = RedisKeys.scan(redis, "presence-job:" + services.jobPrefix + "*").size();
                    long bullRecords = RedisKeys.scan(redis, "presence-job:" + queue.prefix + ":*").size();
                    List<String> lines = jar.lines();
                    jar.terminate();
                    assertThat(jar.awaitExit(Duration.ofSeconds(15))).as("exit code after SIGTERM").isEqualTo(0);
                    return new Outcome(rabbitRooms.total(), rabbitRecords, bullRooms.total(), bullRecords, lines);
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + group.logs(), e);
            } finally {
                for (BullMqQueue opened : queues.subList(1, queues.size())) {
                    try {
                        opened.close();
                    } catch (JedisDataException readOnly) {
                        // at a server that is a replica by now: its keys go with the group's servers
                    }
                }
            }
        }
    }

    /**
     * Enqueues with the real bullmq on the primary the Sentinels name now, then waits until a replica
     * has the jobs ({@code WAIT} after a write of this connection, which comes after the producer's):
     * a producer's jobs lost with the primary are the producer's loss, not the service's, and would
     * only blur what this test measures. A call that fails (the primary is dead) added nothing and is
     * tried again; the kill never comes in the middle of one.
     */
    private static void enqueueReplicated(RedisSentinelGroup group, List<BullMqQueue> queues, List<BullMqQueue.Job> jobs,
                                          ReentrantLock producing) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (true) {
            producing.lock();
            try {
                int primary = group.primaryPort();
                BullMqQueue current = queues.get(queues.size() - 1);
                if (current.port() != primary) {
                    current = current.at("127.0.0.1", primary);
                    queues.add(current);
                }
                try (Jedis jedis = new Jedis("127.0.0.1", primary)) {
                    jedis.ping();
                    current.add(jobs);
                    jedis.incr(current.key("it-replicated"));
                    // The new primary has a replica again once the killed server is back and in sync.
                    Poll.await(WITHIN, "the jobs enqueued on a replica too", () -> jedis.waitReplicas(1, 1000) >= 1);
                    return;
                } catch (JedisException e) {
                    if (System.nanoTime() - deadline > 0) throw e;
                }
            } finally {
                producing.unlock();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private static long count(ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts, RoomStreams rooms) {
        List<String> names = rooms.indices().stream().map(rooms::room).toList();
        return broadcasts.stream().filter(broadcast -> names.contains(broadcast.room())).count();
    }

    private static long historyRows(ServicesFixture services) {
        try {
            return services.historyCounts()[0];
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WITHIN.toSeconds(), TimeUnit.SECONDS)) throw new AssertionError("the kill did not come");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
