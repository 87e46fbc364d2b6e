package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;

import java.util.List;

/**
 * What {@link RabbitJobConsumer} tells about its work, for metrics. Called on the shard's worker
 * thread: keep it quick. An exception thrown here is logged and otherwise ignored.
 */
public interface JobConsumerObserver {

    /** Tells nothing. */
    JobConsumerObserver NONE = new JobConsumerObserver() {
    };

    /**
     * A batch was applied and acknowledged. {@code outcomes} has one entry per job; the dead-lettered
     * ones are {@link Outcome.Rejected} (including a job dead-lettered for corrupt state, whose reason
     * starts with {@code "corrupt state: "}). {@code processingNanos} runs from the batch being taken
     * off the queue's buffer to its acknowledgement, retries included.
     */
    default void batchProcessed(int shard, List<RawJob> jobs, List<Outcome> outcomes, long processingNanos) {
    }

    /** A batch failed for a dependency (or an unexpected error) and is retried after {@code backoffMillis}. */
    default void retrying(int shard, Throwable cause, long backoffMillis) {
    }

    /**
     * A job that carried its publish time ({@code timestamp_in_ms} header, else the AMQP
     * {@code timestamp} in seconds) was acknowledged {@code millis} after it was published.
     */
    default void jobLatency(int shard, long millis) {
    }
}
