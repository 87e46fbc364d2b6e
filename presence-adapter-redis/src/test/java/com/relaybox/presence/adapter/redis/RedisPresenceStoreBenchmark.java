package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.core.port.out.JobMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jobs per second through {@link RedisPresenceStore} alone, against the local Redis: one command
 * per round trip, and batches of 10 and 100 (one pipelined round trip each). Each JMH operation is
 * one job. Run it with (add {@code -t 4} to {@code bench.args} for four consumers at once):
 * <pre>
 * mvn -q -pl presence-adapter-redis -am -Pbenchmark process-test-classes
 * </pre>
 * The workload: per thread 100 connections, each joining, updating and leaving 3 of 50 rooms at
 * random (about 45% joins, 25% updates, 30% leaves); every 10,000 jobs all its connections
 * disconnect and fresh ones take over, so the rooms stay small and the tombstones are used.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class RedisPresenceStoreBenchmark {

    @State(Scope.Benchmark)
    public static class Store {
        final String app = RedisKeyspace.newApp();
        final AtomicInteger threads = new AtomicInteger();
        RedisPresenceStore store;

        @Setup(Level.Trial)
        public void open() {
            // Job records expire soon: the benchmark writes millions of them into the shared Redis.
            store = new RedisPresenceStore(RedisKeyspace.localSettings().withJobMemory(
                    new JobMemory(Duration.ofMinutes(2), Duration.ofMinutes(1))));
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
            try (RedisKeyspace redis = new RedisKeyspace()) {
                redis.deleteApp(app);
            }
        }
    }

    @State(Scope.Thread)
    public static class Workload {
        static final int CONNECTIONS = 100;
        static final int ROOMS = 50;
        static final int ROOMS_PER_CONNECTION = 3;
        static final int CYCLE = 10_000;

        private final Random random = new Random(42);
        private final boolean[][] joined = new boolean[CONNECTIONS][ROOMS_PER_CONNECTION];
        private final List<NspRoomId> rooms = new ArrayList<>();
        private final String[] joinJson = new String[CONNECTIONS];
        private final String[] updateJson = new String[CONNECTIONS];
        private String prefix;
        private long jobs;
        private int cycle;
        private int step;

        @Setup(Level.Trial)
        public void prepare(Store store) {
            prefix = store.app + ":t" + store.threads.incrementAndGet();
            for (int r = 0; r < ROOMS; r++) rooms.add(new NspRoomId(store.app, "room-" + r));
            for (int c = 0; c < CONNECTIONS; c++) {
                joinJson[c] = member(store.app, c, EventType.JOIN);
                updateJson[c] = member(store.app, c, EventType.UPDATE);
            }
        }

        StoreCommand next() {
            JobId job = new JobId(prefix + "-job-" + (++jobs));
            String timestamp = "2024-10-03T14:49:14.329Z";
            if (step >= CYCLE) {
                int c = step++ - CYCLE;
                StoreCommand disconnect = new StoreCommand.Disconnect(job, connection(c), timestamp);
                if (step == CYCLE + CONNECTIONS) {
                    step = 0;
                    cycle++;
                    for (boolean[] row : joined) Arrays.fill(row, false);
                }
                return disconnect;
            }
            step++;
            int c = random.nextInt(CONNECTIONS);
            int k = random.nextInt(ROOMS_PER_CONNECTION);
            NspRoomId room = rooms.get((c * 7 + k * 13) % ROOMS);
            int dice = random.nextInt(100);
            if (!joined[c][k] || dice < 30) {
                joined[c][k] = true;
                return new StoreCommand.Join(job, room, connection(c), joinJson[c], timestamp);
            }
            if (dice < 65) return new StoreCommand.Update(job, room, connection(c), updateJson[c], timestamp);
            joined[c][k] = false;
            return new StoreCommand.Leave(job, room, connection(c), timestamp);
        }

        List<StoreCommand> next(int count) {
            List<StoreCommand> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++) batch.add(next());
            return batch;
        }

        private ConnectionId connection(int c) {
            return new ConnectionId(prefix + "-" + cycle + "-c" + c);
        }

        private static String member(String app, int c, EventType event) {
            return PresenceJson.member(new Member(Optional.of(app + ":client-" + c), new ConnectionId(app + ":conn-" + c),
                    "{\"message\":\"hello\",\"n\":" + c + "}", "2024-10-03T14:49:14.329Z", event,
                    "{\"id\":\"a2c10890-0000\",\"clientId\":\"client-" + c + "\",\"username\":\"chippedvolcano425\",\"isOnline\":true}"));
        }
    }

    @Benchmark
    public List<StoreResult> single(Store store, Workload workload) {
        return store.store.apply(List.of(workload.next()));
    }

    @Benchmark
    @OperationsPerInvocation(10)
    public List<StoreResult> batchOf10(Store store, Workload workload) {
        return store.store.apply(workload.next(10));
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public List<StoreResult> batchOf100(Store store, Workload workload) {
        return store.store.apply(workload.next(100));
    }
}
