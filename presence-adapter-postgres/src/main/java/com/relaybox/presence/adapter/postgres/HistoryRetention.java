package com.relaybox.presence.adapter.postgres;

import java.time.Duration;
import java.util.Objects;

/**
 * How long history is kept and how it is purged.
 *
 * @param days      a record is deleted this many days after it was recorded, at most 36500
 *                  (default 30); 0 keeps history forever
 * @param every     how often the purge runs
 * @param batchRows the most rows one purge statement deletes; the purge repeats statements until
 *                  fewer are left, so no statement holds many locks or runs long
 */
public record HistoryRetention(int days, Duration every, int batchRows) {
    public static final int DEFAULT_DAYS = 30;
    public static final Duration DEFAULT_EVERY = Duration.ofHours(1);
    public static final int DEFAULT_BATCH_ROWS = 10_000;

    public HistoryRetention {
        Objects.requireNonNull(every, "every");
        if (days < 0 || days > 36_500)
            throw new IllegalArgumentException("the retention must be between 0 and 36500 days, got " + days);
        if (every.isZero() || every.isNegative()) throw new IllegalArgumentException("the purge interval must be positive");
        if (batchRows < 1) throw new IllegalArgumentException("batchRows must be at least 1, got " + batchRows);
    }

    public static HistoryRetention ofDays(int days) {
        return new HistoryRetention(days, DEFAULT_EVERY, DEFAULT_BATCH_ROWS);
    }

    public boolean keepsForever() {
        return days == 0;
    }
}
