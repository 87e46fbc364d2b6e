package com.relaybox.presence.core.port.out;

import java.util.Objects;

/**
 * A fencing token: the number a holder of {@code resource} (a queue it consumes alone) took when it
 * began to hold it, from {@link PresenceStore#takeFencingToken}. Every take of a resource gets a new
 * number, and the store writes a batch carrying a token only while that token is the resource's
 * newest: once another instance has taken the resource, and a token with it, a former holder that
 * has not noticed yet writes nothing more.
 */
public record FencingToken(String resource, long value) {
    public FencingToken {
        Objects.requireNonNull(resource, "resource");
        if (resource.isEmpty()) throw new IllegalArgumentException("a fenced resource has a name");
    }
}
