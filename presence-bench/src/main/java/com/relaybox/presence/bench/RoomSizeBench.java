package com.relaybox.presence.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.relaybox.presence.adapter.redis.RedisPresenceStore;
import com.relaybox.presence.adapter.redis.RedisSettings;
import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.core.service.PresenceReads;
import com.relaybox.presence.testkit.PrivateRedis;
import com.relaybox.presence.testkit.RedisKeys;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/**
 * What one job and one read cost as a room grows: the real {@link RedisPresenceStore} (the
 * service's own scripts, batches and reads) against a Redis, in one room of each size.
 *
 * <p>Per size: the room is filled with plain pipelined writes (exactly the keys joins leave),
 * then {@code --jobs} jobs of each kind are applied in batches of {@code --batch}, one thread, as
 * a shard worker applies them: joins of connections not yet in the room, updates, leaves and
 * rejoins of members picked at random, and leaves of members among the 100 who joined last.
 * Between batches the room is put back to its size with plain commands (the joined members
 * popped off the head, the left ones pushed back), never a script,
 * so the scripts' statistics in {@code INFO commandstats} are the measured jobs' alone; so is the
 * wall time, which counts only the {@code apply} calls. Then {@code --reads} reads of the first
 * 100 members through core's {@link PresenceReads}. Every key carries an app id of the run's own
 * and is deleted at the end, also after a failure.
 */
public final class RoomSizeBench {
    private static final String USAGE = """
            usage: java -cp presence-bench/target/presence-bench.jar com.relaybox.presence.bench.RoomSizeBench [options]
              --sizes N,N,...      room sizes, members (default 10,1000,10000,100000)
              --jobs N             measured jobs of each kind per size (default 5000)
              --batch N            jobs per apply call, as a shard worker's batch (default 10)
              --reads N            measured reads of the first 100 members per size (default 2000)
              --runs N             runs over every size, one after the other; each figure is the
                                   median of the runs (default 1)
              --data-bytes N       size of each member's data (default 100)
              --seed N             random seed (default 1)
              --json FILE          also write the result as JSON to FILE
              --redis-host H --redis-port P   (default $REDIS_HOST/$REDIS_PORT or 127.0.0.1:6379)
              --private-redis      instead, a redis-server of the run's own (free port, temporary
                                   directory, no persistence, removed at the end): no other client's
                                   script calls in its statistics
            """;
    private static final int FILL_CHUNK = 1000;
    private static final int READ_LIMIT = 100;
    private static final int WARMUP_SIZE = 10;
    private static final String READ_PHASE = "members(100)";
    private static final int LATEST = 100;
    private static final List<String> JOB_PHASES = List.of("join", "update", "leave", "leave-latest", "rejoin");
    private static final List<String> PHASES = List.of("join", "update", "leave", "leave-latest", "rejoin", READ_PHASE);

    record Options(String redisHost, int redisPort, boolean privateRedis, List<Integer> sizes, int jobs, int batch,
                   int reads, int runs, int dataBytes, long seed, Optional<Path> json) {
        static Options parse(String[] args, Map<String, String> env) {
            Map<String, String> given = new HashMap<>();
            boolean privateRedis = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--help")) throw new IllegalArgumentException("help");
                if (args[i].equals("--private-redis")) {
                    privateRedis = true;
                    continue;
                }
                if (!args[i].startsWith("--") || i + 1 >= args.length)
                    throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
                given.put(args[i].substring(2), args[++i]);
            }
            List<Integer> sizes = new ArrayList<>();
            for (String size : given.getOrDefault("sizes", "10,1000,10000,100000").split(","))
                sizes.add(positive("sizes", size.trim()));
            Options options = new Options(given.getOrDefault("redis-host", env.getOrDefault("REDIS_HOST", "127.0.0.1")),
                    positive("redis-port", given.getOrDefault("redis-port", env.getOrDefault("REDIS_PORT", "6379"))),
                    privateRedis,
                    sizes,
                    positive("jobs", given.getOrDefault("jobs", "5000")),
                    positive("batch", given.getOrDefault("batch", "10")),
                    positive("reads", given.getOrDefault("reads", "2000")),
                    positive("runs", given.getOrDefault("runs", "1")),
                    positive("data-bytes", given.getOrDefault("data-bytes", "100")),
                    positive("seed", given.getOrDefault("seed", "1")),
                    Optional.ofNullable(given.get("json")).map(Path::of));
            given.keySet().removeAll(Set.of("redis-host", "redis-port", "sizes", "jobs", "batch", "reads", "runs", "data-bytes",
                    "seed", "json"));
            if (!given.isEmpty()) throw new IllegalArgumentException("unknown option --" + given.keySet().iterator().next());
            if (privateRedis && (args.length > 0 && (List.of(args).contains("--redis-host") || List.of(args).contains("--redis-port"))))
                throw new IllegalArgumentException("--private-redis and --redis-host/--redis-port exclude each other");
            for (int size : sizes)
                if (size < options.batch) throw new IllegalArgumentException("every size must be at least --batch");
            return options;
        }

        private static int positive(String name, String value) {
            try {
                int parsed = Integer.parseInt(value.replace("_", ""));
                if (parsed < 1) throw new IllegalArgumentException("--" + name + " must be >= 1, got " + value);
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + value + "'");
            }
        }
    }

    /** One measured phase: wall time of the store calls, and the scripts' share of Redis's time. */
    record Phase(String name, int operations, long nanos, long scriptCalls, long scriptMicros, Histogram latency) {
        double perSecond() {
            return operations * 1e9 / nanos;
        }

        double redisMicrosPerOperation() {
            return (double) scriptMicros / operations;
        }

        /** Script calls during the phase that were not this run's: other clients of a shared Redis. */
        long foreignCalls() {
            return scriptCalls - operations;
        }
    }

    record SizeResult(int size, Map<String, Phase> phases, List<String> violations) {
    }

    /** One phase at one size over every run: each figure the median of the runs. */
    record Summary(List<Phase> runs) {
        double perSecond() {
            return median(Phase::perSecond);
        }

        double redisMicros() {
            return median(Phase::redisMicrosPerOperation);
        }

        double p50Millis() {
            return median(phase -> phase.latency().getValueAtPercentile(50) / 1000.0);
        }

        double p99Millis() {
            return median(phase -> phase.latency().getValueAtPercentile(99) / 1000.0);
        }

        long foreignCalls() {
            return runs.stream().mapToLong(Phase::foreignCalls).sum();
        }

        private double median(ToDoubleFunction<Phase> figure) {
            double[] sorted = runs.stream().mapToDouble(figure).sorted().toArray();
            int middle = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    private final Options options;
    private final String where;
    private final String app = "roomsize" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final String dataJson;
    private final Random random;
    private final Jedis jedis;
    private final RedisPresenceStore store;
    private final PresenceReads reads;
    private long jobSeq;
    private long newcomerSeq;

    private RoomSizeBench(Options options, Jedis jedis, RedisPresenceStore store, String where) {
        this.options = options;
        this.where = where;
        this.jedis = jedis;
        this.store = store;
        this.reads = new PresenceReads(store);
        this.random = new Random(options.seed());
        // {"status":"xxx…"} of exactly data-bytes bytes
        this.dataJson = "{\"status\":\"" + "x".repeat(Math.max(0, options.dataBytes() - 13)) + "\"}";
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            if (!"help".equals(e.getMessage())) System.err.println("room-size bench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
            return;
        }
        boolean ok;
        if (options.privateRedis()) {
            try (PrivateRedis redis = new PrivateRedis("--save", "", "--appendonly", "no")) {
                // Interrupted (Ctrl-C), the server and its directory go too.
                Thread removal = new Thread(redis::close, "private-redis-removal");
                Runtime.getRuntime().addShutdownHook(removal);
                ok = run(options, "127.0.0.1", redis.start().port);
                Runtime.getRuntime().removeShutdownHook(removal);
            }
        } else {
            ok = run(options, options.redisHost(), options.redisPort());
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean run(Options options, String host, int port) throws Exception {
        // Job records expire soon should a run die before it deletes them.
        RedisSettings settings = RedisSettings.of(host, port, false, Optional.empty(), 2).withJobMemory(JobMemory.of(Duration.ofMinutes(10)));
        try (Jedis jedis = new Jedis(host, port);
             RedisPresenceStore store = new RedisPresenceStore(settings)) {
            RoomSizeBench bench = new RoomSizeBench(options, jedis, store, host + ":" + port);
            // Interrupted (Ctrl-C), the run's keys are deleted all the same, over a connection of their own.
            Thread deletion = new Thread(() -> {
                try (Jedis own = new Jedis(host, port)) {
                    bench.deleteKeys(own);
                }
            }, "room-size-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(deletion);
            try {
                return bench.run();
            } finally {
                Runtime.getRuntime().removeShutdownHook(deletion);
            }
        }
    }

    private void deleteKeys(Jedis redis) {
        RedisKeys.deleteMatching(redis, "presence:" + app + ":*", "connection:" + app + ":*", "presence-job:" + app + ":*");
    }

    private boolean run() throws Exception {
        List<SizeResult> results = new ArrayList<>();
        try {
            measure(WARMUP_SIZE, "warm-up"); // the JIT and the script cache, not reported
            for (int run = 0; run < options.runs(); run++)
                for (int size : options.sizes()) results.add(measure(size, "room-" + size));
        } finally {
            deleteKeys(jedis);
        }
        boolean ok = results.stream().allMatch(r -> r.violations().isEmpty());
        System.out.print(table(results));
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(json(results, ok));
        System.out.println(json);
        if (options.json().isPresent()) Files.writeString(options.json().get(), json + "\n", StandardCharsets.UTF_8);
        return ok;
    }

    private SizeResult measure(int size, String roomId) {
        NspRoomId room = new NspRoomId(app, roomId);
        fill(room, size);
        Map<String, Phase> phases = new LinkedHashMap<>();
        phases.put("join", jobs("join", room, i -> newcomers(room), batch -> popNewcomers(room, batch)));
        phases.put("update", jobs("update", room, i -> pick(size).stream()
                .map(m -> (StoreCommand) new StoreCommand.Update(nextJob(), room, member(m), memberJson(member(m), EventType.UPDATE), now()))
                .toList(), batch -> { }));
        phases.put("leave", jobs("leave", room, i -> pick(size).stream()
                .map(m -> (StoreCommand) new StoreCommand.Leave(nextJob(), room, member(m), now()))
                .toList(), batch -> pushBack(room, batch)));
        phases.put("leave-latest", jobs("leave-latest", room, i -> pickLatest(room).stream()
                .map(m -> (StoreCommand) new StoreCommand.Leave(nextJob(), room, m, now()))
                .toList(), batch -> pushBack(room, batch)));
        phases.put("rejoin", jobs("rejoin", room, i -> pick(size).stream()
                .map(m -> (StoreCommand) new StoreCommand.Join(nextJob(), room, member(m), memberJson(member(m), EventType.JOIN), now()))
                .toList(), batch -> { }));
        phases.put(READ_PHASE, membersReads(room));
        List<String> violations = new ArrayList<>(check(room, size));
        deleteKeys(jedis);
        System.err.printf(Locale.ROOT, "%s: %d members measured%s%n", roomId, size,
                violations.isEmpty() ? "" : ", violations: " + violations);
        return new SizeResult(size, phases, violations);
    }

    /**
     * {@code --jobs} jobs in batches; {@code restore} puts the room back to its size after each
     * batch, with plain commands, outside the measured time.
     */
    private Phase jobs(String name, NspRoomId room, IntFunction<List<StoreCommand>> nextBatch,
                       Consumer<List<StoreCommand>> restore) {
        Histogram latency = new Histogram(3);
        long[] before = scriptStats();
        long nanos = 0;
        int done = 0;
        while (done < options.jobs()) {
            List<StoreCommand> batch = nextBatch.apply(done);
            if (batch.size() > options.jobs() - done) batch = batch.subList(0, options.jobs() - done);
            long start = System.nanoTime();
            List<StoreResult> results = store.apply(batch);
            long took = System.nanoTime() - start;
            nanos += took;
            latency.recordValue(Math.max(1, took / 1000));
            for (StoreResult result : results)
                if (result.effect() != StoreResult.Effect.CHANGED || result.repeat())
                    throw new IllegalStateException(name + " in " + room + " did not change the room: " + result);
            restore.accept(batch);
            done += batch.size();
        }
        long[] after = scriptStats();
        return new Phase(name, done, nanos, after[0] - before[0], after[1] - before[1], latency);
    }

    private Phase membersReads(NspRoomId room) {
        Histogram latency = new Histogram(3);
        long expected = Math.min(READ_LIMIT, store.count(room));
        long[] before = scriptStats();
        long nanos = 0;
        for (int i = 0; i < options.reads(); i++) {
            long start = System.nanoTime();
            List<Member> members = reads.members(room, OptionalInt.of(READ_LIMIT));
            long took = System.nanoTime() - start;
            nanos += took;
            latency.recordValue(Math.max(1, took / 1000));
            if (members.size() != expected)
                throw new IllegalStateException("members(" + READ_LIMIT + ") of " + room + " read " + members.size());
        }
        long[] after = scriptStats();
        return new Phase(READ_PHASE, options.reads(), nanos, after[0] - before[0], after[1] - before[1], latency);
    }

    // ---- the room's population

    private ConnectionId member(int i) {
        return new ConnectionId(app + ":m" + i);
    }

    private String memberJson(ConnectionId connection, EventType event) {
        String client = app + ":client-" + connection.value().substring(app.length() + 1);
        return PresenceJson.member(new Member(Optional.of(client), connection, dataJson, now(), event,
                "{\"username\":\"" + client + "\"}"));
    }

    /** {@code size} members, written as joins leave them (RelayBox's three keys), with pipelined plain commands. */
    private void fill(NspRoomId room, int size) {
        for (int first = 0; first < size; first += FILL_CHUNK) {
            int last = Math.min(size, first + FILL_CHUNK);
            Map<String, String> members = new HashMap<>();
            String[] ids = new String[last - first];
            for (int i = first; i < last; i++) {
                ConnectionId connection = member(i);
                members.put(connection.value(), memberJson(connection, EventType.JOIN));
                ids[i - first] = connection.value();
            }
            Pipeline pipeline = jedis.pipelined();
            pipeline.hset("presence:" + room + ":members", members);
            pipeline.lpush("presence:" + room + ":index", ids);
            for (String id : ids) pipeline.hset("connection:" + id + ":presence-sets", room.toString(), "1");
            pipeline.sync();
        }
    }

    /** Joins of connections never seen before. */
    private List<StoreCommand> newcomers(NspRoomId room) {
        List<StoreCommand> batch = new ArrayList<>(options.batch());
        for (int i = 0; i < options.batch(); i++) {
            ConnectionId connection = new ConnectionId(app + ":n" + newcomerSeq++);
            batch.add(new StoreCommand.Join(nextJob(), room, connection, memberJson(connection, EventType.JOIN), now()));
        }
        return batch;
    }

    /** The batch's newcomers are the head of the index: pop them off, and their member and presence-sets with them. */
    private void popNewcomers(NspRoomId room, List<StoreCommand> batch) {
        List<String> popped = jedis.lpop("presence:" + room + ":index", batch.size());
        Set<String> joined = new HashSet<>();
        for (StoreCommand command : batch) joined.add(command.connection().value());
        if (popped == null || !joined.equals(new HashSet<>(popped)))
            throw new IllegalStateException("the head of " + room + "'s index is " + popped + ", not the newcomers " + joined);
        Pipeline pipeline = jedis.pipelined();
        pipeline.hdel("presence:" + room + ":members", popped.toArray(String[]::new));
        for (String id : popped) pipeline.del("connection:" + id + ":presence-sets");
        pipeline.sync();
    }

    /** The members a batch of leaves removed, back in the room (at the head, as a join would put them). */
    private void pushBack(NspRoomId room, List<StoreCommand> batch) {
        Pipeline pipeline = jedis.pipelined();
        for (StoreCommand command : batch) {
            String id = command.connection().value();
            pipeline.hset("presence:" + room + ":members", id, memberJson(command.connection(), EventType.JOIN));
            pipeline.lpush("presence:" + room + ":index", id);
            pipeline.hset("connection:" + id + ":presence-sets", room.toString(), "1");
        }
        pipeline.sync();
    }

    /** A batch's worth of distinct members, uniformly at random: any place in the index alike. */
    private List<Integer> pick(int size) {
        Set<Integer> picked = new HashSet<>();
        while (picked.size() < options.batch()) picked.add(random.nextInt(size));
        return new ArrayList<>(picked);
    }

    /** A batch's worth of distinct members among the {@value LATEST} who joined last: the head of the index. */
    private List<ConnectionId> pickLatest(NspRoomId room) {
        List<String> latest = new ArrayList<>(jedis.lrange("presence:" + room + ":index", 0, LATEST - 1));
        Collections.shuffle(latest, random);
        return latest.subList(0, options.batch()).stream().map(ConnectionId::new).toList();
    }

    /** CONTRACT §3 over the room and its members' presence-sets, and the room back at its size. */
    private List<String> check(NspRoomId room, int size) {
        List<String> index = jedis.lrange("presence:" + room + ":index", 0, -1);
        Map<String, String> members = jedis.hgetAll("presence:" + room + ":members");
        List<String> setsKeys = RedisKeys.scan(jedis, "connection:" + app + ":*");
        Pipeline pipeline = jedis.pipelined();
        Map<String, Response<Set<String>>> sets = new HashMap<>();
        for (String key : setsKeys)
            sets.put(key.substring("connection:".length(), key.length() - ":presence-sets".length()), pipeline.hkeys(key));
        pipeline.sync();
        Map<String, Set<String>> presenceSets = new HashMap<>();
        sets.forEach((connection, rooms) -> {
            if (!rooms.get().isEmpty()) presenceSets.put(connection, rooms.get());
        });
        List<String> violations = new ArrayList<>(Invariants.violations(new PresenceSnapshot(
                Map.of(room.toString(), index), Map.of(room.toString(), members), presenceSets)));
        if (index.size() != size) violations.add(room + " holds " + index.size() + " members, not " + size);
        return violations.stream().map(v -> v.length() > 300 ? v.substring(0, 300) + "…" : v).toList();
    }

    // ---- Redis's own account

    /** {@code cmdstat_evalsha}: calls and microseconds, every script call of the store since Redis started. */
    private long[] scriptStats() {
        for (String line : jedis.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_evalsha:")) continue;
            long calls = 0;
            long usec = 0;
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] pair = field.split("=");
                if (pair[0].equals("calls")) calls = Long.parseLong(pair[1]);
                if (pair[0].equals("usec")) usec = Long.parseLong(pair[1]);
            }
            return new long[]{calls, usec};
        }
        return new long[]{0, 0};
    }

    private JobId nextJob() {
        return new JobId(app + ":j" + jobSeq++);
    }

    private static String now() {
        return Instant.now().toString();
    }

    // ---- the report

    private Map<Integer, Map<String, Summary>> summaries(List<SizeResult> results) {
        Map<Integer, Map<String, Summary>> bySize = new LinkedHashMap<>();
        for (int size : options.sizes()) {
            Map<String, Summary> phases = new LinkedHashMap<>();
            for (String phase : PHASES) {
                List<Phase> runs = results.stream().filter(r -> r.size() == size).map(r -> r.phases().get(phase)).toList();
                phases.put(phase, new Summary(runs));
            }
            bySize.put(size, phases);
        }
        return bySize;
    }

    private String table(List<SizeResult> results) {
        Map<Integer, Map<String, Summary>> summaries = summaries(results);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "room-size bench: %d jobs of each kind per size in batches of %d, %d reads, "
                + "%d-byte data, median of %d run(s), Redis %s%s%n", options.jobs(), options.batch(), options.reads(),
                options.dataBytes(), options.runs(), where, options.privateRedis() ? " (private)" : ""));
        out.append("| members | join of a new member | update | leave | leave of one of the 100 latest | rejoin | members(100) p50 / p99 ms | foreign script calls |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        summaries.forEach((size, phases) -> {
            out.append(String.format(Locale.ROOT, "| %,d |", size));
            for (String name : JOB_PHASES) {
                Summary phase = phases.get(name);
                out.append(String.format(Locale.ROOT, " %,.0f/s, %.1f µs |", phase.perSecond(), phase.redisMicros()));
            }
            Summary read = phases.get(READ_PHASE);
            long foreign = phases.values().stream().mapToLong(Summary::foreignCalls).sum();
            out.append(String.format(Locale.ROOT, " %.2f / %.2f, %.1f µs | %,d |%n", read.p50Millis(), read.p99Millis(),
                    read.redisMicros(), foreign));
        });
        out.append("(jobs/s through the store, one thread; µs: Redis's time in the scripts per job or read, "
                + "INFO commandstats cmdstat_evalsha)\n");
        Map<String, Summary> smallest = summaries.values().iterator().next();
        int smallestSize = summaries.keySet().iterator().next();
        summaries.forEach((size, phases) -> {
            if (size == smallestSize) return;
            out.append(String.format(Locale.ROOT, "%,d against %,d members, Redis µs per job:", size, smallestSize));
            for (String name : JOB_PHASES)
                out.append(String.format(Locale.ROOT, " %s %.2fx", name, phases.get(name).redisMicros() / smallest.get(name).redisMicros()));
            out.append('\n');
        });
        for (SizeResult result : results)
            if (!result.violations().isEmpty()) out.append(result.size()).append(" members: ").append(result.violations()).append('\n');
        return out.toString();
    }

    private JsonObject json(List<SizeResult> results, boolean ok) {
        JsonObject root = new JsonObject();
        root.addProperty("redis", where);
        root.addProperty("privateRedis", options.privateRedis());
        root.addProperty("jobsPerKind", options.jobs());
        root.addProperty("batch", options.batch());
        root.addProperty("reads", options.reads());
        root.addProperty("runs", options.runs());
        root.addProperty("dataBytes", options.dataBytes());
        JsonArray sizes = new JsonArray();
        summaries(results).forEach((members, phases) -> {
            JsonObject size = new JsonObject();
            size.addProperty("members", members);
            phases.forEach((name, summary) -> {
                JsonObject p = new JsonObject();
                p.addProperty("perSecond", Math.round(summary.perSecond()));
                p.addProperty("redisMicrosPerOperation", Math.round(summary.redisMicros() * 10) / 10.0);
                p.addProperty("callP50Millis", summary.p50Millis());
                p.addProperty("callP99Millis", summary.p99Millis());
                p.addProperty("foreignScriptCalls", summary.foreignCalls());
                JsonArray runs = new JsonArray();
                for (Phase run : summary.runs())
                    runs.add(Math.round(run.redisMicrosPerOperation() * 10) / 10.0);
                p.add("redisMicrosPerOperationByRun", runs);
                size.add(name, p);
            });
            JsonArray violations = new JsonArray();
            results.stream().filter(r -> r.size() == members).forEach(r -> r.violations().forEach(violations::add));
            size.add("violations", violations);
            sizes.add(size);
        });
        root.add("sizes", sizes);
        root.addProperty("ok", ok);
        return root;
    }
}
