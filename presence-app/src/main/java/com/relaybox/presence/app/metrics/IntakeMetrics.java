package com.relaybox.presence.app.metrics;

import com.relaybox.presence.adapter.bullmq.BullMqObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * {@code presence_intake_jobs_total{intake, result}}: jobs taken, completed and failed (§6
 * rejections: dead-lettered or BullMQ-failed) per intake; for BullMQ also its retries and the end
 * to end latency from the job's enqueue time.
 */
public final class IntakeMetrics implements BullMqObserver {
    private final Counter taken;
    private final Counter completed;
    private final Counter failed;
    private final Counter retries;
    private final Timer endToEnd;

    private IntakeMetrics(MeterRegistry registry, String intake) {
        taken = counter(registry, intake, "taken");
        completed = counter(registry, intake, "completed");
        failed = counter(registry, intake, "failed");
        retries = Counter.builder("presence.intake.retries").description("Batches retried after a dependency failure")
                .tag("intake", intake).register(registry);
        endToEnd = MeteredProcessJobs.endToEnd(registry, "enqueued");
    }

    public static IntakeMetrics bullmq(MeterRegistry registry) {
        return new IntakeMetrics(registry, "bullmq");
    }

    public static IntakeMetrics rabbitmq(MeterRegistry registry) {
        return new IntakeMetrics(registry, "rabbitmq");
    }

    private static Counter counter(MeterRegistry registry, String intake, String result) {
        return Counter.builder("presence.intake.jobs").description("Jobs taken, completed and failed, per intake")
                .tag("intake", intake).tag("result", result).register(registry);
    }

    @Override
    public void taken(int jobs) {
        taken.increment(jobs);
    }

    @Override
    public void finished(int completedJobs, int failedJobs) {
        completed.increment(completedJobs);
        failed.increment(failedJobs);
    }

    @Override
    public void retrying(Throwable cause, long backoffMillis) {
        retries.increment();
    }

    @Override
    public void jobLatency(long millis) {
        endToEnd.record(Duration.ofMillis(millis));
    }
}
