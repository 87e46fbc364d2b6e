package com.relaybox.presence.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.relaybox.presence.core.domain.JobType;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a running presence service the way production does: jobs through the job publisher to
 * the shard queues, or with the real bullmq into the queue RelayBox's realtime service fills
 * ({@code --intake bullmq}); broadcasts back through a queue bound to {@code ds.rooms.durable}. Every
 * published job counts; latency runs from the publisher's clock to the receiver's clock in this
 * process; the rooms are populated and warmed up first, and that is reported separately.
 */
public final class Bench {
    private static final int MAX_RATE_BATCH = 200;

    private final BenchOptions options;
    private final JobBodies bodies;
    private final PresenceModel model;
    private final Random random;
    private final AtomicLongArray sentNanos;
    private final BitSet expected = new BitSet();
    private long nextSeq;

    private Bench(BenchOptions options) {
        this.options = options;
        this.bodies = new JobBodies("bench" + UUID.randomUUID().toString().substring(0, 8), options.dataBytes());
        this.model = new PresenceModel(options.rooms(), options.connections());
        this.random = new Random(options.seed());
        long total = (long) (options.connections() + options.ghosts()) * options.roomsPerConnection() + options.warmupJobs()
                + options.jobs();
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("too many jobs for one run");
        this.sentNanos = new AtomicLongArray((int) total);
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            if (!"help".equals(e.getMessage())) System.err.println("presence-bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
            return;
        }
        JsonObject result = new Bench(options).run();
        boolean ok = result.get("ok").getAsBoolean();
        System.exit(ok ? 0 : 1);
    }

    private JsonObject run() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(options.rabbitUri());
        List<PhaseResult> phases = new ArrayList<>();
        long duplicates;
        Optional<Ghosts> ghosts = options.ghosts() > 0 ? Optional.of(new Ghosts(options, bodies)) : Optional.empty();
        try (Connection receiving = factory.newConnection("presence-bench-receiver");
             JobSink sink = sink();
             BroadcastReceiver receiver = new BroadcastReceiver(receiving, bodies.app(), options.queueCount(), sentNanos,
                     ghosts)) {
            int population = options.connections() * options.roomsPerConnection();
            if (options.backlog()) {
                phases.add(phase("backlog", population + options.jobs(), 0,
                        seq -> seq < population ? populateJob(seq) : steadyJob(seq), sink, receiver));
            } else {
                phases.add(phase("populate", population, 0, this::populateJob, sink, receiver));
                if (ghosts.isPresent()) {
                    Ghosts g = ghosts.get();
                    int[] cursor = {0};
                    phases.add(phase("ghosts", options.ghosts() * options.roomsPerConnection(), 0, seq -> {
                        int ghost = cursor[0] / options.roomsPerConnection();
                        int k = cursor[0]++ % options.roomsPerConnection();
                        return new BenchJob(seq, JobType.JOIN, g.connection(ghost), g.room(ghost, k), true);
                    }, sink, receiver));
                    g.startHeartbeats();
                }
                if (options.warmupJobs() > 0)
                    phases.add(phase("warm-up", options.warmupJobs(), options.rate(), this::steadyJob, sink, receiver));
                phases.add(phase("measured", options.jobs(), options.rate(), this::steadyJob, sink, receiver));
                if (ghosts.isPresent()) awaitGhostLeaves(ghosts.get());
            }
            duplicates = receiver.duplicates();
        } finally {
            ghosts.ifPresent(Ghosts::close);
        }
        return finish(phases, duplicates, ghosts);
    }

    private JsonObject finish(List<PhaseResult> phases, long duplicates, Optional<Ghosts> ghosts) throws Exception {
        RedisCheck.Result check = RedisCheck.check(options.redisHost(), options.redisPort(), bodies, model, !options.keepState());
        JsonObject result = report(phases, duplicates, check);
        if (ghosts.isPresent()) {
            JsonObject ghostReport = ghosts.get().report();
            result.add("ghosts", ghostReport);
            result.addProperty("ok", result.get("ok").getAsBoolean()
                    && ghostReport.get("leavesReceived").getAsLong() == ghostReport.get("leavesExpected").getAsLong());
        }
        System.out.print(table(phases, duplicates, check));
        ghosts.ifPresent(g -> System.out.println("ghosts: " + g.report()));
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(result);
        System.out.println(json);
        if (options.jsonFile().isPresent()) Files.writeString(options.jsonFile().get(), json + "\n", StandardCharsets.UTF_8);
        return result;
    }

    private JobSink sink() {
        if (options.intake() == BenchOptions.Intake.BULLMQ)
            return new BullMqJobSink(options.bullMqFixture(), options.redisHost(), options.redisPort(), options.bullMqPrefix(),
                    options.bullMqQueue(), bodies);
        return new RabbitJobSink(options.rabbitUri(), options.queueCount(), bodies);
    }

    /** After the job stream: waits for the ghosts' last leaves, up to the timeout and a minute past their last heartbeat. */
    private void awaitGhostLeaves(Ghosts ghosts) {
        long deadline = ghosts.lastHeartbeatMillis() + (options.livenessTimeoutSeconds() + 60) * 1000L;
        while (!ghosts.allLeft() && System.currentTimeMillis() < deadline) LockSupport.parkNanos(10_000_000);
    }

    // ---- job generation

    private int populateCursor;

    private BenchJob populateJob(long seq) {
        int connection = populateCursor / options.roomsPerConnection();
        populateCursor++;
        int room = model.roomNotJoined(connection, random);
        model.join(connection, room);
        return new BenchJob(seq, JobType.JOIN, connection, room, true);
    }

    private BenchJob steadyJob(long seq) {
        int dice = random.nextInt(100);
        BenchOptions.Mix mix = options.mix();
        if (options.uniform()) {
            int connection = random.nextInt(options.connections());
            int room = random.nextInt(options.rooms());
            if (dice < mix.join()) {
                model.join(connection, room);
                return new BenchJob(seq, JobType.JOIN, connection, room, true);
            }
            if (dice < mix.join() + mix.update())
                return new BenchJob(seq, JobType.UPDATE, connection, room, model.isMember(connection, room));
            return new BenchJob(seq, JobType.LEAVE, connection, room, model.leave(connection, room));
        }
        if (dice < mix.join() || model.membershipCount() == 0) {
            int connection = random.nextInt(options.connections());
            int room = model.roomNotJoined(connection, random);
            model.join(connection, room);
            return new BenchJob(seq, JobType.JOIN, connection, room, true);
        }
        int[] membership = model.anyMembership(random);
        if (dice < mix.join() + mix.update())
            return new BenchJob(seq, JobType.UPDATE, membership[0], membership[1], true);
        model.leave(membership[0], membership[1]);
        return new BenchJob(seq, JobType.LEAVE, membership[0], membership[1], true);
    }

    // ---- one phase: publish, then wait for its broadcasts

    private interface Generator {
        BenchJob next(long seq);
    }

    private PhaseResult phase(String name, int count, int rate, Generator generator, JobSink sink,
                              BroadcastReceiver receiver) throws Exception {
        receiver.startPhase();
        long receivedBefore = receiver.receivedCount();
        long firstSeq = nextSeq;
        long expectedCount = 0;
        long start = System.nanoTime();
        double intervalNanos = rate > 0 ? 1e9 / rate : 0;
        List<BenchJob> batch = new ArrayList<>(MAX_RATE_BATCH);
        int generated = 0;
        while (generated < count) {
            // Keep a bounded number of jobs in flight, so "as fast as possible" measures the service, not a queue.
            while (!options.backlog() && expectedCount - (receiver.receivedCount() - receivedBefore) >= options.maxInFlight())
                LockSupport.parkNanos(100_000);
            long now = System.nanoTime();
            batch.clear();
            if (rate > 0) {
                long due = Math.min(count, (long) ((now - start) / intervalNanos) + 1);
                if (due <= generated) {
                    LockSupport.parkNanos(Math.max(10_000, (long) (start + generated * intervalNanos) - now));
                    continue;
                }
                while (generated < due && batch.size() < MAX_RATE_BATCH) {
                    BenchJob job = generator.next(nextSeq++);
                    // Paced: latency runs from when the job was due, so a publisher that falls behind is not hidden.
                    sentNanos.set((int) job.seq(), start + (long) (generated * intervalNanos));
                    batch.add(job);
                    generated++;
                }
            } else {
                while (generated < count && batch.size() < MAX_RATE_BATCH) {
                    BenchJob job = generator.next(nextSeq++);
                    sentNanos.set((int) job.seq(), now);
                    batch.add(job);
                    generated++;
                }
            }
            for (BenchJob job : batch) {
                if (job.expectsBroadcast()) {
                    expected.set((int) job.seq());
                    expectedCount++;
                }
            }
            sink.publish(batch);
        }
        sink.awaitConfirms();
        long publishedAt = System.nanoTime();
        if (options.backlog()) System.out.println("published " + count + " jobs");

        // Drain: wait for every broadcast due, giving up only after drainTimeout without progress.
        long lastProgress = System.nanoTime();
        long seen = receiver.receivedCount();
        while (receiver.receivedCount() - receivedBefore < expectedCount) {
            LockSupport.parkNanos(1_000_000);
            long now = receiver.receivedCount();
            if (now != seen) {
                seen = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > options.drainTimeout().toNanos()) {
                break;
            }
        }
        long end = Math.max(receiver.lastReceivedNanos(), publishedAt);
        long lost = 0;
        for (long seq = firstSeq; seq < nextSeq; seq++)
            if (expected.get((int) seq) && !receiver.hasReceived(seq)) lost++;
        Histogram latency = receiver.startPhase();
        return new PhaseResult(name, count, rate, expectedCount, receiver.receivedCount() - receivedBefore, lost,
                end - start, latency, options.timeline() ? receiver.timeline(start, end) : List.of());
    }

    record PhaseResult(String name, int jobs, int rate, long expected, long received, long lost, long elapsedNanos,
                       Histogram latency, List<BroadcastReceiver.Second> timeline) {
        double jobsPerSecond() {
            return jobs / (elapsedNanos / 1e9);
        }

        double millis(double percentile) {
            return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMillis() {
            return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
        }
    }

    // ---- reporting

    private JsonObject report(List<PhaseResult> phases, long duplicates, RedisCheck.Result check) {
        JsonObject result = new JsonObject();
        JsonObject setup = new JsonObject();
        setup.addProperty("app", bodies.app());
        setup.addProperty("intake", options.intake().name().toLowerCase(Locale.ROOT));
        setup.addProperty("rooms", options.rooms());
        setup.addProperty("connections", options.connections());
        setup.addProperty("roomsPerConnection", options.roomsPerConnection());
        setup.addProperty("mix", options.mix().join() + "/" + options.mix().update() + "/" + options.mix().leave());
        setup.addProperty("mode", options.uniform() ? "uniform" : "steady");
        setup.addProperty("dataBytes", options.dataBytes());
        setup.addProperty("rate", options.rate());
        setup.addProperty("queueCount", options.queueCount());
        setup.addProperty("maxInFlight", options.maxInFlight());
        result.add("setup", setup);
        for (PhaseResult phase : phases) {
            JsonObject p = new JsonObject();
            p.addProperty("jobs", phase.jobs());
            p.addProperty("broadcastsExpected", phase.expected());
            p.addProperty("broadcastsReceived", phase.received());
            p.addProperty("lost", phase.lost());
            p.addProperty("seconds", round(phase.elapsedNanos() / 1e9));
            p.addProperty("jobsPerSecond", round(phase.jobsPerSecond()));
            JsonObject latency = new JsonObject();
            latency.addProperty("p50", phase.millis(50));
            latency.addProperty("p90", phase.millis(90));
            latency.addProperty("p99", phase.millis(99));
            latency.addProperty("p99_9", phase.millis(99.9));
            latency.addProperty("max", phase.maxMillis());
            p.add("latencyMillis", latency);
            if (!phase.timeline().isEmpty()) {
                com.google.gson.JsonArray seconds = new com.google.gson.JsonArray();
                for (BroadcastReceiver.Second second : phase.timeline()) {
                    JsonObject s = new JsonObject();
                    s.addProperty("second", second.offset());
                    s.addProperty("received", second.received());
                    s.addProperty("p99", second.p99Millis());
                    s.addProperty("max", second.maxMillis());
                    seconds.add(s);
                }
                p.add("timeline", seconds);
            }
            result.add(phase.name(), p);
        }
        result.addProperty("duplicateBroadcasts", duplicates);
        JsonObject redis = new JsonObject();
        redis.addProperty("roomsChecked", check.rooms());
        redis.addProperty("keysChecked", check.keys());
        redis.addProperty("violations", check.violations().size());
        if (!check.violations().isEmpty()) redis.addProperty("firstViolation", check.violations().get(0));
        result.add("invariants", redis);
        long lost = phases.stream().mapToLong(PhaseResult::lost).sum();
        result.addProperty("ok", lost == 0 && check.violations().isEmpty());
        return result;
    }

    private String table(List<PhaseResult> phases, long duplicates, RedisCheck.Result check) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "presence-bench (%s intake): %d rooms, %d connections (%d rooms each), mix %d/%d/%d, %s, %d-byte data, rate %s%n",
                options.intake().name().toLowerCase(Locale.ROOT), options.rooms(), options.connections(),
                options.roomsPerConnection(), options.mix().join(), options.mix().update(),
                options.mix().leave(), options.uniform() ? "uniform" : "steady", options.dataBytes(),
                options.rate() == 0 ? "max" : options.rate() + "/s"));
        out.append(String.format(Locale.ROOT, "%-9s %8s %9s %7s %9s %8s %8s %8s %8s %8s%n",
                "phase", "jobs", "jobs/s", "lost", "seconds", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"));
        for (PhaseResult p : phases)
            out.append(String.format(Locale.ROOT, "%-9s %8d %9.0f %7d %9.2f %8.2f %8.2f %8.2f %8.2f %8.2f%n",
                    p.name(), p.jobs(), p.jobsPerSecond(), p.lost(), p.elapsedNanos() / 1e9,
                    p.millis(50), p.millis(90), p.millis(99), p.millis(99.9), p.maxMillis()));
        for (PhaseResult p : phases) {
            if (p.timeline().isEmpty()) continue;
            out.append(p.name()).append(" second by second (first broadcasts received, p99 ms, max ms):\n");
            for (BroadcastReceiver.Second second : p.timeline())
                out.append(String.format(Locale.ROOT, "  %4d s %7d %9.1f %9.1f%n", second.offset(), second.received(),
                        second.p99Millis(), second.maxMillis()));
        }
        out.append(String.format(Locale.ROOT, "duplicate broadcasts: %d; invariants over %d keys of %d rooms: %s%n",
                duplicates, check.keys(), check.rooms(),
                check.violations().isEmpty() ? "all hold" : check.violations().size() + " violations, e.g. " + check.violations().get(0)));
        return out.toString();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
