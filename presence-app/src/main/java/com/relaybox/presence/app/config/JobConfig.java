package com.relaybox.presence.app.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How jobs are taken and applied.
 *
 * @param queueCount          {@code RABBIT_MQ_QUEUE_COUNT}: N, the number of shard queues
 * @param queueType           {@code RABBIT_MQ_QUEUE_TYPE}
 * @param batchSize           {@code PRESENCE_BATCH_SIZE}: at most this many jobs per store round trip
 * @param batchWait           {@code PRESENCE_BATCH_MAX_WAIT_MS}: how long a consumer waits to fill a batch
 * @param prefetch            {@code RABBIT_MQ_PREFETCH}: unacknowledged deliveries per shard queue
 * @param maxDataBytes        {@code PRESENCE_MAX_DATA_BYTES}: the largest {@code message.data} accepted
 * @param disconnectTombstone {@code PRESENCE_DISCONNECT_TOMBSTONE_S}: late joins/updates ignored this long after a disconnect
 * @param jobIdMemory         {@code PRESENCE_JOB_MEMORY_S}: how long a job id is remembered for idempotency
 */
public record JobConfig(int queueCount, QueueType queueType, int batchSize, Duration batchWait, int prefetch,
                        int maxDataBytes, Duration disconnectTombstone, Duration jobIdMemory) {
    public JobConfig {
        Objects.requireNonNull(queueType, "queueType");
        Objects.requireNonNull(batchWait, "batchWait");
        Objects.requireNonNull(disconnectTombstone, "disconnectTombstone");
        Objects.requireNonNull(jobIdMemory, "jobIdMemory");
    }
}
