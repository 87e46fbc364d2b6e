package com.relaybox.presence.app.metrics;

import com.relaybox.presence.adapter.rabbitmq.JobConsumerObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * What the RabbitMQ job consumer reports: end to end latency from the job's publish time (its
 * AMQP timestamp) to its acknowledgement, and batch retries by shard.
 */
public final class ConsumerMetrics implements JobConsumerObserver {
    private final Timer endToEnd;
    private final Counter[] retries;

    public ConsumerMetrics(MeterRegistry registry, int queueCount) {
        endToEnd = MeteredProcessJobs.endToEnd(registry, "published");
        retries = new Counter[queueCount];
        for (int shard = 0; shard < queueCount; shard++)
            retries[shard] = Counter.builder("presence.consumer.retries")
                    .description("Batches retried after a dependency failure, by shard queue")
                    .tag("shard", Integer.toString(shard)).register(registry);
    }

    @Override
    public void retrying(int shard, Throwable cause, long backoffMillis) {
        retries[shard].increment();
    }

    @Override
    public void jobLatency(int shard, long millis) {
        if (millis >= 0) endToEnd.record(Duration.ofMillis(millis));
    }
}
