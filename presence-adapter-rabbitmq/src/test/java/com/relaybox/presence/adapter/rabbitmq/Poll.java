package com.relaybox.presence.adapter.rabbitmq;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests: poll to a deadline, never a fixed sleep. Public for the tests of the history package. */
public final class Poll {
    private Poll() {
    }

    /** The first non-null value of {@code probe}, or {@code atDeadline}'s when the time is up. */
    public static <T> T until(Duration timeout, Supplier<T> probe, Supplier<T> atDeadline) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) return value;
            LockSupport.parkNanos(5_000_000);
        }
        T value = probe.get();
        return value != null ? value : atDeadline.get();
    }

    /** Whether {@code condition} became true before the deadline. */
    public static boolean until(Duration timeout, BooleanSupplier condition) {
        return until(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null, () -> Boolean.FALSE);
    }
}
