package com.relaybox.presence.app.metrics;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.domain.Timestamps;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.TimeSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Counts and times what {@link ProcessJobs} does: jobs by type and outcome, batch sizes, batch
 * processing time, and end to end latency (from the job's {@code latencyLog.createdAt}).
 */
public final class MeteredProcessJobs implements ProcessJobs {
    static final String INVALID_TYPE = "invalid";

    private final ProcessJobs delegate;
    private final TimeSource clock;
    private final Map<String, Counter> counters = new HashMap<>();
    private final DistributionSummary batchSize;
    private final Timer processing;
    private final Counter failedBatches;
    private final Timer endToEnd;

    public MeteredProcessJobs(ProcessJobs delegate, MeterRegistry registry, TimeSource clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String type : types())
            for (String outcome : List.of("applied", "ignored", "rejected"))
                counters.put(type + "/" + outcome, Counter.builder("presence.jobs")
                        .description("Jobs processed, by job type and outcome")
                        .tag("type", type).tag("outcome", outcome).register(registry));
        batchSize = DistributionSummary.builder("presence.batch.size")
                .description("Jobs per processed batch")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
                .register(registry);
        processing = Timer.builder("presence.batch.processing")
                .description("Time to apply, broadcast and record one batch")
                .serviceLevelObjectives(Buckets.PROCESSING)
                .register(registry);
        failedBatches = Counter.builder("presence.batch.failures")
                .description("Batches that failed on a dependency and will be retried")
                .register(registry);
        endToEnd = endToEnd(registry, "latency_log");
    }

    /**
     * End to end latency of a job, measured from {@code clock}: {@code latency_log} (RelayBox's
     * {@code latencyLog.createdAt}, when the realtime service created the job) or {@code published}
     * (the AMQP timestamp, when it was published).
     */
    static Timer endToEnd(MeterRegistry registry, String clock) {
        return Timer.builder("presence.job.end_to_end")
                .description("From the job's creation (latency_log) or publication (published) to the end of its processing")
                .tag("clock", clock)
                .serviceLevelObjectives(Buckets.END_TO_END)
                .register(registry);
    }

    private static List<String> types() {
        List<String> types = new java.util.ArrayList<>();
        for (JobType type : JobType.values()) types.add(type.wireName());
        types.add(INVALID_TYPE);
        return types;
    }

    /**
     * Counts the batch once it is confirmed, so a batch that fails and is retried counts once. What
     * runs on confirmation runs on the broker client's thread: the jobs' creation times are read
     * here, before.
     */
    @Override
    public AppliedBatch applyBatch(List<RawJob> jobs, Fence fence) {
        long start = System.nanoTime();
        AppliedBatch applied;
        try {
            applied = delegate.applyBatch(jobs, fence);
        } catch (RuntimeException e) {
            failedBatches.increment();
            throw e;
        }
        List<Outcome> outcomes = applied.outcomes();
        List<Counter> counted = new ArrayList<>(outcomes.size());
        List<Instant> created = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome outcome = outcomes.get(i);
            String type = JobType.fromWire(jobs.get(i).type()).map(JobType::wireName).orElse(INVALID_TYPE);
            counted.add(counters.get(type + "/" + name(outcome)));
            if (outcome instanceof Outcome.Applied appliedJob && !appliedJob.events().isEmpty())
                createdAt(appliedJob.events().get(0).latencyLog()).ifPresent(created::add);
        }
        applied.confirmed().whenComplete((ok, failure) -> {
            if (failure != null) {
                failedBatches.increment();
                return;
            }
            processing.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            batchSize.record(jobs.size());
            for (Counter counter : counted) counter.increment();
            Instant now = clock.now();
            for (Instant createdAt : created) {
                Duration latency = Duration.between(createdAt, now);
                if (!latency.isNegative()) endToEnd.record(latency);
            }
        });
        return applied;
    }

    @Override
    public void jobsAcknowledged(List<RawJob> jobs, List<Outcome> outcomes) {
        delegate.jobsAcknowledged(jobs, outcomes);
    }

    @Override
    public FencingToken takeFencingToken(String resource) {
        return delegate.takeFencingToken(resource);
    }

    private static String name(Outcome outcome) {
        if (outcome instanceof Outcome.Applied) return "applied";
        if (outcome instanceof Outcome.Ignored) return "ignored";
        return "rejected";
    }

    /** {@code createdAt} of a RelayBox latency log, when it is there and readable. */
    static Optional<Instant> createdAt(Optional<String> latencyLog) {
        if (latencyLog.isEmpty()) return Optional.empty();
        try {
            JsonElement createdAt = JsonParser.parseString(latencyLog.get()).getAsJsonObject().get("createdAt");
            if (createdAt == null || !createdAt.isJsonPrimitive()) return Optional.empty();
            return Optional.of(Timestamps.parse(createdAt.getAsString()));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
