package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.relaybox.presence.adapter.redis.TestJobs.comparable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several store instances (each with its own pool) and threads hammer the same rooms with mixed
 * joins, updates, leaves and disconnects, some of them on the same connection from different
 * "shards". Afterwards every invariant of CONTRACT §3 holds, and the state is the one a
 * sequential model gives.
 */
class AtomicityUnderConcurrencyIT {
    private static final int STORES = 3;
    private static final int WORKERS_PER_STORE = 2;
    private static final int JOBS_PER_WORKER = 2_500;
    private static final int RACED_CONNECTIONS = 8;

    private final String app = RedisKeyspace.newApp();
    private final TestJobs jobs = new TestJobs(app);
    private final List<String> rooms = List.of("lobby", "games", "chat:eu", "chat:us", "r:ü", "quiet");
    @RegisterExtension
    final RedisKeyspace redis = RedisKeyspace.cleaningUp(app);
    private final List<RedisPresenceStore> stores = new ArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(RedisPresenceStore::close);
    }

    @Test
    void everyInvariantHoldsAndTheStateIsTheSequentialModels() throws Exception {
        for (int s = 0; s < STORES; s++)
            stores.add(new RedisPresenceStore(RedisKeyspace.localSettings()));
        ExecutorService pool = Executors.newFixedThreadPool(STORES * WORKERS_PER_STORE + 2);
        try {
            List<Future<Worker>> workers = new ArrayList<>();
            for (int w = 0; w < STORES * WORKERS_PER_STORE; w++)
                workers.add(pool.submit(new Worker("w" + w, stores.get(w % STORES), 7 + w)));
            AtomicBoolean disconnectsDone = new AtomicBoolean();
            Future<List<StoreResult>> joiner = pool.submit(raceJoiner(stores.get(0), disconnectsDone));
            Future<?> disconnector = pool.submit(raceDisconnector(stores.get(1), disconnectsDone));

            disconnector.get(2, TimeUnit.MINUTES);
            List<StoreResult> joinsAfterEveryDisconnect = joiner.get(2, TimeUnit.MINUTES);
            List<Worker> done = new ArrayList<>();
            for (Future<Worker> worker : workers) done.add(worker.get(2, TimeUnit.MINUTES));

            assertThat(joinsAfterEveryDisconnect).extracting(StoreResult::effect)
                    .as("a join after the disconnect, from another shard, is ignored")
                    .containsOnly(StoreResult.Effect.DISCONNECTED);

            PresenceSnapshot state = redis.snapshot(app);
            assertThat(Invariants.violations(state)).isEmpty();

            Map<String, Map<String, String>> expectedMembers = new HashMap<>();
            Map<String, Set<String>> expectedSets = new HashMap<>();
            for (Worker worker : done) {
                worker.model.memberHashes().forEach((room, members) ->
                        expectedMembers.computeIfAbsent(room, r -> new HashMap<>()).putAll(members));
                expectedSets.putAll(worker.model.presenceSets());
            }
            assertThat(state.members()).isEqualTo(expectedMembers);
            assertThat(state.presenceSets()).isEqualTo(expectedSets);
            for (Worker worker : done) {
                // Other workers' joins interleave, but a worker's own connections keep the order its joins gave them.
                Map<String, List<String>> ownOrder = new HashMap<>();
                state.indexes().forEach((room, index) -> {
                    List<String> own = index.stream().filter(c -> c.startsWith(app + ":" + worker.name + "-")).toList();
                    if (!own.isEmpty()) ownOrder.put(room, own);
                });
                assertThat(ownOrder).as("index order of " + worker.name).isEqualTo(worker.model.indexes());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One thread of one shard: its own connections, the shared rooms, and its own sequential model. */
    private final class Worker implements Callable<Worker> {
        final String name;
        final RedisPresenceStore store;
        final TestJobs.RandomJobs random;
        final InMemoryPresenceStore model = new InMemoryPresenceStore();

        Worker(String name, RedisPresenceStore store, long seed) {
            this.name = name;
            this.store = store;
            this.random = jobs.new RandomJobs(name, seed, rooms, 5);
        }

        @Override
        public Worker call() {
            for (int sent = 0; sent < JOBS_PER_WORKER; ) {
                List<StoreCommand> batch = random.batch(random.nextSize(sent % 2 == 0 ? 3 : 40));
                sent += batch.size();
                List<StoreResult> expected = model.apply(batch);
                assertThat(comparable(store.apply(batch), true)).as("results of a batch of " + name)
                        .isEqualTo(comparable(expected, true));
            }
            return this;
        }
    }

    /** Joins and updates the raced connections until every one was disconnected, then joins each once more. */
    private Callable<List<StoreResult>> raceJoiner(RedisPresenceStore store, AtomicBoolean disconnectsDone) {
        return () -> {
            Random random = new Random(99);
            while (!disconnectsDone.get()) {
                List<StoreCommand> batch = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    String connection = "raced-" + random.nextInt(RACED_CONNECTIONS);
                    String room = rooms.get(random.nextInt(rooms.size()));
                    batch.add(random.nextInt(4) == 0 ? jobs.update(room, connection) : jobs.join(room, connection));
                }
                store.apply(batch);
            }
            List<StoreCommand> late = new ArrayList<>();
            for (int c = 0; c < RACED_CONNECTIONS; c++) late.add(jobs.join(rooms.get(c % rooms.size()), "raced-" + c));
            return store.apply(late);
        };
    }

    /** Disconnects each raced connection once it is in some room, while the joiner keeps joining it. */
    private Callable<Void> raceDisconnector(RedisPresenceStore store, AtomicBoolean disconnectsDone) {
        return () -> {
            try {
                for (int c = 0; c < RACED_CONNECTIONS; c++) {
                    ConnectionId connection = jobs.connection("raced-" + c);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (store.rooms(connection).isEmpty() && System.nanoTime() < deadline) Thread.onSpinWait();
                    store.apply(List.of(jobs.disconnect("raced-" + c)));
                }
            } finally {
                disconnectsDone.set(true);
            }
            return null;
        };
    }
}
