package com.relaybox.presence.adapter.rabbitmq.history;

import java.time.Duration;
import java.util.Objects;

/**
 * How the history writer batches and retries.
 *
 * @param batchRecords  a batch is written once it holds this many records (it may hold a few more:
 *                      messages are not split)
 * @param maxWait       ... or once this long has passed since its first message arrived
 * @param prefetch      messages the broker hands the writer ahead of acknowledgement; enough to fill
 *                      a batch while the one before is written
 * @param minBackoff    the first wait after a failed write
 * @param maxBackoff    the cap of the doubling wait between failed writes
 * @param closeTimeout  how long {@code close()} waits for the batch in flight to be written and acknowledged
 */
public record HistoryWriterSettings(int batchRecords, Duration maxWait, int prefetch, Duration minBackoff,
                                    Duration maxBackoff, Duration closeTimeout) {
    public static final int DEFAULT_BATCH_RECORDS = 2_000;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(50);
    public static final int DEFAULT_PREFETCH = 200;

    public HistoryWriterSettings {
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(minBackoff, "minBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (batchRecords < 1 || batchRecords > 100_000)
            throw new IllegalArgumentException("the history writer's batch size must be between 1 and 100000 records, got "
                    + batchRecords);
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(10)) > 0)
            throw new IllegalArgumentException("the history writer's batch wait must be between 0 and 10000 ms, got "
                    + maxWait.toMillis() + " ms");
        if (prefetch < 1 || prefetch > 65_535)
            throw new IllegalArgumentException("the history writer's prefetch must be between 1 and 65535 messages, got "
                    + prefetch);
        if (minBackoff.isZero() || minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0)
            throw new IllegalArgumentException("the history writer's backoff must be positive and its cap at least its start");
        if (closeTimeout.isNegative())
            throw new IllegalArgumentException("the history writer's close timeout must not be negative");
    }

    public static HistoryWriterSettings defaults() {
        return new HistoryWriterSettings(DEFAULT_BATCH_RECORDS, DEFAULT_MAX_WAIT, DEFAULT_PREFETCH,
                Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    public HistoryWriterSettings withBackoff(Duration min, Duration max) {
        return new HistoryWriterSettings(batchRecords, maxWait, prefetch, min, max, closeTimeout);
    }

    public HistoryWriterSettings withCloseTimeout(Duration timeout) {
        return new HistoryWriterSettings(batchRecords, maxWait, prefetch, minBackoff, maxBackoff, timeout);
    }

    public HistoryWriterSettings withBatch(int records, Duration wait) {
        return new HistoryWriterSettings(records, wait, prefetch, minBackoff, maxBackoff, closeTimeout);
    }
}
