package com.relaybox.presence.core.domain;

/** One websocket connection, e.g. {@code Fef8GnS7C5zN:U7JWOF-5XgfF}. */
public record ConnectionId(String value) {
    public ConnectionId {
        if (value == null || value.isEmpty())
            throw new IllegalArgumentException("connectionId must be non-empty");
    }

    @Override
    public String toString() {
        return value;
    }
}
