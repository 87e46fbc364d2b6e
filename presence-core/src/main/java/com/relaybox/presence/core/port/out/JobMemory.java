package com.relaybox.presence.core.port.out;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a {@link PresenceStore} remembers what a job id did. Until the job's source has its
 * acknowledgement, the source may deliver it again, possibly after a long outage: it is remembered
 * for {@code unacknowledged}. Once the source has the acknowledgement it never delivers the job
 * again, and only a producer's retry of the same id can still come, within seconds: it is
 * remembered for {@code duplicateWindow} from then on ({@link PresenceStore#jobsAcknowledged}).
 *
 * @param unacknowledged  how long a job id is remembered from its application, at most
 * @param duplicateWindow how long it is remembered once acknowledged; at most {@code unacknowledged}
 */
public record JobMemory(Duration unacknowledged, Duration duplicateWindow) {
    public static final Duration DEFAULT_UNACKNOWLEDGED = Duration.ofHours(24);
    /** Five minutes: producers retry within seconds; at 1,000 jobs/s this is about 85 MB of Redis (BENCHMARKS.md). */
    public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(5);
    public static final JobMemory DEFAULT = new JobMemory(DEFAULT_UNACKNOWLEDGED, DEFAULT_DUPLICATE_WINDOW);

    public JobMemory {
        requireMillis(unacknowledged, "the job memory");
        requireMillis(duplicateWindow, "the duplicate window");
        if (duplicateWindow.compareTo(unacknowledged) > 0)
            throw new IllegalArgumentException("the duplicate window (" + seconds(duplicateWindow)
                    + ") must not exceed the job memory (" + seconds(unacknowledged) + ")");
    }

    /** This memory with the unacknowledged period given, and the window no longer than it. */
    public static JobMemory of(Duration unacknowledged) {
        Duration window = DEFAULT_DUPLICATE_WINDOW.compareTo(unacknowledged) > 0 ? unacknowledged : DEFAULT_DUPLICATE_WINDOW;
        return new JobMemory(unacknowledged, window);
    }

    private static void requireMillis(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.compareTo(Duration.ofMillis(1)) < 0)
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        if (duration.compareTo(Duration.ofMillis(Long.MAX_VALUE)) > 0)
            throw new IllegalArgumentException(what + " is too long: " + duration);
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
