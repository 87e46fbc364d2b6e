package com.relaybox.presence.app.metrics;

import com.relaybox.presence.adapter.rabbitmq.JobConsumerObserver;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;

/**
 * What the RabbitMQ job consumer reports: end to end latency from the job's publish time (its
 * AMQP timestamp) to its acknowledgement, batch retries by shard, and the intake's job counts.
 */
public final class ConsumerMetrics implements JobConsumerObserver {
    private final Timer endToEnd;
    private final Counter[] retries;
    private final IntakeMetrics intake;

    public ConsumerMetrics(MeterRegistry registry, int queueCount) {
        endToEnd = MeteredProcessJobs.endToEnd(registry, "published");
        intake = IntakeMetrics.rabbitmq(registry);
        retries = new Counter[queueCount];
        for (int shard = 0; shard < queueCount; shard++)
            retries[shard] = Counter.builder("presence.consumer.retries")
                    .description("Batches retried after a dependency failure, by shard queue")
                    .tag("shard", Integer.toString(shard)).register(registry);
    }

    @Override
    public void batchProcessed(int shard, List<RawJob> jobs, List<Outcome> outcomes, long processingNanos) {
        int rejected = 0;
        for (Outcome outcome : outcomes) if (outcome instanceof Outcome.Rejected) rejected++;
        intake.taken(jobs.size());
        intake.finished(jobs.size() - rejected, rejected);
    }

    @Override
    public void retrying(int shard, Throwable cause, long backoffMillis) {
        retries[shard].increment();
        intake.retrying(cause, backoffMillis);
    }

    @Override
    public void jobLatency(int shard, long millis) {
        if (millis >= 0) endToEnd.record(Duration.ofMillis(millis));
    }
}
