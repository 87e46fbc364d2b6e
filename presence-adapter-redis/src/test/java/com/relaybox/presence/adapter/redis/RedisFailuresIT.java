package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.PrivateRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static com.relaybox.presence.adapter.redis.TestJobs.comparable;
import static com.relaybox.presence.adapter.redis.TestJobs.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Redis that goes away and comes back while the store runs (a private redis-server the test
 * kills with SIGKILL and starts again on the same port; the store is never rebuilt), refuses the
 * password, speaks no TLS, or is out of memory: always {@link DependencyUnavailableException},
 * never half a job, and the store works again once Redis does.
 */
class RedisFailuresIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final TestJobs jobs = new TestJobs(RedisKeyspace.newApp());
    private final List<String> rooms = List.of("lobby", "games", "chat:eu", "chat:us");

    /**
     * A server without persistence comes back empty, so each step compares with a model that
     * starts afresh at the restart: the batch that failed while Redis was gone applies whole after
     * the restart, and the store works on as before.
     */
    @Test
    void theStoreStartsWithoutRedisAndRecoversFromEachRestartWithoutBeingRebuilt() {
        try (PrivateRedis server = new PrivateRedis("--save", "", "--appendonly", "no");
             RedisPresenceStore store = new RedisPresenceStore(settings(server.port))) {
            TestJobs.RandomJobs random = jobs.new RandomJobs("w", 11, rooms, 6);
            List<StoreCommand> first = random.batch(30);

            assertUnavailable(store, first);
            server.start();
            InMemoryPresenceStore model = new InMemoryPresenceStore();
            assertThat(comparable(applyUntilAvailable(store, first, null), true)).isEqualTo(comparable(model.apply(first), true));
            assertThat(state(server)).isEqualTo(snapshotOf(model));

            for (int restart = 0; restart < 3; restart++) {
                server.kill();
                List<StoreCommand> batch = random.batch(30);
                assertUnavailable(store, batch);

                server.start();
                model = new InMemoryPresenceStore(); // the fresh server holds nothing
                if (restart == 1) {
                    // A read first: its script is missing on the fresh server too.
                    assertThat(store.memberPage(jobs.room("lobby"), 0, 10)).isEmpty();
                }
                List<StoreResult> results = applyUntilAvailable(store, batch, null);
                assertThat(comparable(results, true)).as("the retried batch after restart " + restart)
                        .isEqualTo(comparable(model.apply(batch), true));
                List<StoreCommand> next = random.batch(1);
                assertThat(comparable(store.apply(next), true)).isEqualTo(comparable(model.apply(next), true));
                assertThat(state(server)).isEqualTo(snapshotOf(model));
                assertThat(Invariants.violations(state(server))).isEmpty();
                assertThat(store.apply(batch)).as("the job ids are remembered again").allMatch(StoreResult::repeat);
                assertThat(store.problem()).isEmpty();
            }

            scriptFlush(server); // a script cache emptied under a running store, without a restart
            List<StoreCommand> batch = random.batch(20);
            assertThat(comparable(store.apply(batch), true)).isEqualTo(comparable(model.apply(batch), true));
            scriptFlush(server);
            List<StoreCommand> single = random.batch(1);
            assertThat(comparable(store.apply(single), true)).isEqualTo(comparable(model.apply(single), true));
            assertThat(state(server)).isEqualTo(snapshotOf(model));
        }
    }

    /**
     * A server with an fsync'ed append-only file is killed while a writer applies batch after
     * batch (so most likely during one), then started again on its file. The writer retries the
     * failed batch until it applies, as the consumer does. Every job then applied exactly once:
     * results and state equal the sequential model's, with no job half-applied.
     */
    @Test
    void killedDuringBatchesEveryJobAppliesExactlyOnceAndNoneHalfWay() throws Exception {
        List<List<StoreCommand>> batches = new ArrayList<>();
        TestJobs.RandomJobs random = jobs.new RandomJobs("w", 23, rooms, 40);
        for (int b = 0; b < 40; b++) batches.add(random.batch(200));
        InMemoryPresenceStore model = new InMemoryPresenceStore();
        List<List<StoreResult>> expected = new ArrayList<>();
        for (List<StoreCommand> batch : batches) expected.add(model.apply(batch));

        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (PrivateRedis server = new PrivateRedis("--save", "", "--appendonly", "yes", "--appendfsync", "always").start();
             RedisPresenceStore store = new RedisPresenceStore(settings(server.port))) {
            AtomicInteger applied = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            Future<List<List<StoreResult>>> results = writer.submit(() -> {
                List<List<StoreResult>> all = new ArrayList<>();
                for (List<StoreCommand> batch : batches) {
                    all.add(applyUntilAvailable(store, batch, failures));
                    applied.incrementAndGet();
                }
                return all;
            });
            Poll.until(DEADLINE, () -> applied.get() >= 5);
            server.kill();
            server.start();

            List<List<StoreResult>> actual = results.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(failures.get()).as("the writer saw Redis go away").isPositive();
            assertThat(actual).hasSize(batches.size());
            for (int b = 0; b < batches.size(); b++)
                assertThat(comparable(actual.get(b), false)).as("batch " + b).isEqualTo(comparable(expected.get(b), false));
            PresenceSnapshot state = state(server);
            assertThat(Invariants.violations(state)).isEmpty();
            assertThat(state).isEqualTo(snapshotOf(model));
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void theAuthTokenOfRedisAuthIsSentAndAWrongOneIsAnUnavailableRedisNotACrash() {
        try (PrivateRedis server = new PrivateRedis("--save", "", "--appendonly", "no", "--requirepass", "s3cr3t").start()) {
            RedisSettings right = RedisSettings.of(RedisKeyspace.HOST, server.port, false, Optional.of("s3cr3t"), 2);
            try (RedisPresenceStore store = new RedisPresenceStore(right)) {
                assertThat(store.problem()).isEmpty();
                assertThat(store.apply(List.of(jobs.join("lobby", "c1"))).get(0).effect()).isEqualTo(StoreResult.Effect.CHANGED);
            }
            RedisSettings wrong = RedisSettings.of(RedisKeyspace.HOST, server.port, false, Optional.of("nope"), 2);
            try (RedisPresenceStore store = new RedisPresenceStore(wrong)) {
                assertThat(store.problem()).contains("authentication failed");
                assertThatThrownBy(() -> store.apply(List.of(jobs.join("lobby", "c2"))))
                        .isInstanceOf(DependencyUnavailableException.class);
                assertThatThrownBy(() -> store.count(jobs.room("lobby"))).isInstanceOf(DependencyUnavailableException.class);
            }
        }
    }

    @Test
    void aTlsStoreAgainstAPlainServerIsAnUnavailableRedisNotACrash() {
        RedisSettings tls = RedisSettings.of(RedisKeyspace.HOST, RedisKeyspace.PORT, true, Optional.empty(), 2)
                .withTimeout(Duration.ofSeconds(1));
        try (RedisPresenceStore store = new RedisPresenceStore(tls)) {
            assertThat(store.problem()).contains("does not answer PING");
            assertThatThrownBy(() -> store.apply(List.of(jobs.join("lobby", "c1")))).isInstanceOf(DependencyUnavailableException.class);
        }
    }

    /**
     * Out of memory with {@code noeviction}: a job whose first write adds data is refused before it
     * changes anything (Redis lets a script that already wrote go on, so no job is ever cut short).
     */
    @Test
    void aRedisOutOfMemoryRefusesJobsWholeUntilThereIsRoom() {
        try (PrivateRedis server = new PrivateRedis("--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction").start();
             RedisPresenceStore store = new RedisPresenceStore(settings(server.port));
             var raw = server.client()) {
            store.apply(List.of(jobs.join("lobby", "c1"), jobs.join("games", "c1")));
            PresenceSnapshot before = state(server);
            raw.set("filler", "x".repeat(2 * 1024 * 1024));
            raw.configSet("maxmemory", "1mb"); // now over it, and nothing may be evicted

            List<StoreCommand> update = List.of(jobs.update("lobby", "c1"));
            List<StoreCommand> disconnect = List.of(jobs.disconnect("c1"));
            List<StoreCommand> batch = List.of(jobs.leave("lobby", "nobody"), jobs.update("games", "c1"));
            for (List<StoreCommand> refused : List.of(update, disconnect, batch))
                assertThatThrownBy(() -> store.apply(refused))
                        .isInstanceOf(DependencyUnavailableException.class)
                        .hasMessageContaining("OOM");
            assertThat(state(server)).isEqualTo(before);
            assertThat(store.memberPage(jobs.room("lobby"), 0, 10)).as("reads still work").hasSize(1);

            raw.configSet("maxmemory", "0");
            for (List<StoreCommand> retried : List.of(update, disconnect, batch))
                assertThat(store.apply(retried)).noneMatch(StoreResult::repeat);
            assertThat(state(server)).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
        }
    }

    private static RedisSettings settings(int port) {
        return RedisKeyspace.settings(port).withTimeout(Duration.ofSeconds(1));
    }

    private void assertUnavailable(RedisPresenceStore store, List<StoreCommand> batch) {
        assertThat(store.problem()).isPresent();
        assertThatThrownBy(() -> store.apply(batch)).isInstanceOf(DependencyUnavailableException.class);
        assertThatThrownBy(() -> store.apply(batch.subList(0, 1))).isInstanceOf(DependencyUnavailableException.class);
        assertThatThrownBy(() -> store.memberPage(jobs.room("lobby"), 0, 10)).isInstanceOf(DependencyUnavailableException.class);
        assertThatThrownBy(() -> store.count(jobs.room("lobby"))).isInstanceOf(DependencyUnavailableException.class);
        assertThatThrownBy(() -> store.isMember(jobs.room("lobby"), jobs.connection("x"))).isInstanceOf(DependencyUnavailableException.class);
        assertThatThrownBy(() -> store.rooms(jobs.connection("x"))).isInstanceOf(DependencyUnavailableException.class);
    }

    /** What a consumer does: retry the same batch, with a short backoff, until Redis takes it. */
    private static List<StoreResult> applyUntilAvailable(RedisPresenceStore store, List<StoreCommand> batch, AtomicInteger failures) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            try {
                return store.apply(batch);
            } catch (DependencyUnavailableException e) {
                if (failures != null) failures.incrementAndGet();
                if (System.nanoTime() > deadline) throw e;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the consumer's backoff
            }
        }
    }

    private PresenceSnapshot state(PrivateRedis server) {
        try (RedisKeyspace redis = new RedisKeyspace(server.port)) {
            return redis.snapshot(jobs.app);
        }
    }

    private static void scriptFlush(PrivateRedis server) {
        try (var raw = server.client()) {
            raw.scriptFlush();
        }
    }
}
