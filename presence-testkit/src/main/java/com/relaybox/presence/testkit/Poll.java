package com.relaybox.presence.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests: poll until a deadline, never a fixed sleep. */
public final class Poll {
    // Short pauses first, so a condition nearly met costs little; then no more often than every 20 ms,
    // since many probes open a connection to a server that other builds share.
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Poll() {
    }

    /** The first non-null value of {@code probe}, or {@code atDeadline}'s when the time is up. */
    public static <T> T until(Duration timeout, Supplier<T> probe, Supplier<T> atDeadline) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (System.nanoTime() - deadline < 0) {
            T value = probe.get();
            if (value != null) return value;
            LockSupport.parkNanos(pause);
            pause = Math.min(2 * pause, LONGEST_PAUSE_NANOS);
        }
        T value = probe.get();
        return value != null ? value : atDeadline.get();
    }

    /** Whether {@code condition} became true before the deadline. */
    public static boolean until(Duration timeout, BooleanSupplier condition) {
        return until(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null, () -> Boolean.FALSE);
    }

    /** Returns once {@code condition} holds; fails, naming {@code what} was awaited, when it does not by the deadline. */
    public static void await(Duration within, String what, BooleanSupplier condition) {
        if (!until(within, condition)) throw new AssertionError("not within " + within + ": " + what);
    }
}
