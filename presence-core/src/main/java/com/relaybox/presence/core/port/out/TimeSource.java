package com.relaybox.presence.core.port.out;

import java.time.Instant;

/** The processing time: event times of jobs that carry none, and the expiry of what the store remembers. */
@FunctionalInterface
public interface TimeSource {

    Instant now();

    static TimeSource system() {
        return Instant::now;
    }
}
