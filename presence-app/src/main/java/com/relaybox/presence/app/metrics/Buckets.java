package com.relaybox.presence.app.metrics;

import java.time.Duration;

/** Histogram buckets: a dozen each, enough to read percentiles without thousands of series. */
final class Buckets {
    static final Duration[] PROCESSING = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000);
    static final Duration[] END_TO_END = millis(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000);

    private Buckets() {
    }

    private static Duration[] millis(long... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) durations[i] = Duration.ofMillis(values[i]);
        return durations;
    }
}
