package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
    private static final int JOBS_PER_WORKER = 2_000;
    private static final int RACED_CONNECTIONS = 8;

    private final String app = RedisKeyspace.newApp();
    private final List<String> rooms = List.of("lobby", "games", "chat:eu", "chat:us", "r:ü", "quiet");
    private final RedisKeyspace redis = new RedisKeyspace();
    private final List<RedisPresenceStore> stores = new ArrayList<>();
    private final AtomicLong jobIds = new AtomicLong();

    @AfterEach
    void cleanUp() {
        try {
            redis.deleteApp(app);
        } finally {
            stores.forEach(RedisPresenceStore::close);
            redis.close();
        }
    }

    @Test
    void everyInvariantHoldsAndTheStateIsTheSequentialModels() throws Exception {
        for (int s = 0; s < STORES; s++)
            stores.add(new RedisPresenceStore(RedisKeyspace.localSettings()));
        ExecutorService pool = Executors.newFixedThreadPool(STORES * WORKERS_PER_STORE + 2);
        try {
            List<Future<Worker>> workers = new ArrayList<>();
            for (int w = 0; w < STORES * WORKERS_PER_STORE; w++) {
                Worker worker = new Worker("w" + w, stores.get(w % STORES), new Random(7 + w));
                workers.add(pool.submit(worker));
            }
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
            assertThat(state.presenceSets().keySet()).noneMatch(c -> c.startsWith(app + ":raced-"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** One thread of one shard: its own connections, the shared rooms, and its own sequential model. */
    private final class Worker implements Callable<Worker> {
        final String name;
        final RedisPresenceStore store;
        final Random random;
        final InMemoryPresenceStore model = new InMemoryPresenceStore();

        Worker(String name, RedisPresenceStore store, Random random) {
            this.name = name;
            this.store = store;
            this.random = random;
        }

        @Override
        public Worker call() {
            List<String> connections = new ArrayList<>();
            for (int c = 0; c < 5; c++) connections.add(name + "-g0-c" + c);
            int generation = 0;
            int sent = 0;
            while (sent < JOBS_PER_WORKER) {
                int size = 1 + random.nextInt(random.nextBoolean() ? 3 : 40);
                List<StoreCommand> batch = new ArrayList<>(size + 2);
                for (int b = 0; b < size; b++, sent++) {
                    int pick = random.nextInt(connections.size());
                    String connection = connections.get(pick);
                    String room = rooms.get(random.nextInt(rooms.size()));
                    int dice = random.nextInt(100);
                    StoreCommand command;
                    if (dice < 40) command = join(room, connection);
                    else if (dice < 55) command = update(room, connection);
                    else if (dice < 95) command = leave(room, connection);
                    else {
                        command = disconnect(connection);
                        connections.set(pick, name + "-g" + (++generation) + "-c" + pick);
                    }
                    batch.add(command);
                    if (random.nextInt(40) == 0) batch.add(command); // a redelivered duplicate in the batch
                }
                List<StoreResult> expected = model.apply(batch);
                assertThat(comparable(store.apply(batch))).as("results of a batch of " + name).isEqualTo(comparable(expected));
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
                    batch.add(random.nextInt(4) == 0 ? update(room, connection) : join(room, connection));
                }
                store.apply(batch);
            }
            List<StoreCommand> late = new ArrayList<>();
            for (int c = 0; c < RACED_CONNECTIONS; c++) late.add(join(rooms.get(c % rooms.size()), "raced-" + c));
            return store.apply(late);
        };
    }

    private Callable<Void> raceDisconnector(RedisPresenceStore store, AtomicBoolean disconnectsDone) {
        return () -> {
            try {
                for (int c = 0; c < RACED_CONNECTIONS; c++) {
                    // Let the joiner get some joins in first: wait until the connection is in a room.
                    ConnectionId connection = new ConnectionId(app + ":raced-" + c);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (store.rooms(connection).isEmpty() && System.nanoTime() < deadline) Thread.onSpinWait();
                    store.apply(List.of(disconnect("raced-" + c)));
                }
            } finally {
                disconnectsDone.set(true);
            }
            return null;
        };
    }

    private StoreCommand join(String room, String connection) {
        JobId job = nextJob();
        return StoreCommand.join(job, room(room), connection(connection), member(connection, job, EventType.JOIN), timestamp(job));
    }

    private StoreCommand update(String room, String connection) {
        JobId job = nextJob();
        return StoreCommand.update(job, room(room), connection(connection), member(connection, job, EventType.UPDATE), timestamp(job));
    }

    private StoreCommand leave(String room, String connection) {
        JobId job = nextJob();
        return StoreCommand.leave(job, room(room), connection(connection), timestamp(job));
    }

    private StoreCommand disconnect(String connection) {
        JobId job = nextJob();
        return StoreCommand.disconnect(job, connection(connection), timestamp(job));
    }

    private String member(String connection, JobId job, EventType event) {
        return PresenceJson.member(new Member(Optional.of(app + ":client-" + connection), connection(connection),
                "{\"job\":\"" + job + "\"}", timestamp(job), event, "null"));
    }

    private static String timestamp(JobId job) {
        long n = Long.parseLong(job.value().substring(job.value().lastIndexOf('-') + 1));
        return String.format("2024-10-03T14:%02d:%02d.%03dZ", (n / 60_000) % 60, (n / 1000) % 60, n % 1000);
    }

    private JobId nextJob() {
        return new JobId(app + "-job-" + jobIds.incrementAndGet());
    }

    private NspRoomId room(String room) {
        return new NspRoomId(app, room);
    }

    private ConnectionId connection(String name) {
        return new ConnectionId(app + ":" + name);
    }

    /** A result with its rooms as a set: a disconnect reports its rooms in no particular order. */
    private static List<Object> comparable(List<StoreResult> results) {
        return results.stream().<Object>map(r -> List.of(r.repeat(), r.effect(), new HashSet<>(r.rooms()), r.timestamp())).toList();
    }
}
