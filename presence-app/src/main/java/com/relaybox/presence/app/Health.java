package com.relaybox.presence.app;

import java.util.Objects;

/** One component's state for {@code /health/ready}. */
public record Health(Status status, String detail) {

    public enum Status {
        UP,
        /** Working with reduced guarantees (history behind, kept durably for later): ready all the same. */
        DEGRADED,
        DOWN
    }

    public Health {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public static Health up(String detail) {
        return new Health(Status.UP, detail);
    }

    public static Health down(String detail) {
        return new Health(Status.DOWN, detail);
    }

    public static Health degraded(String detail) {
        return new Health(Status.DEGRADED, detail);
    }
}
