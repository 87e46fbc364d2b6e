package com.relaybox.presence.core.domain;

/** What a store holds for a room or connection is not what this service writes there. */
public final class CorruptStateException extends RuntimeException {
    public CorruptStateException(String message, Throwable cause) {
        super(message, cause);
    }

    public CorruptStateException(String message) {
        super(message);
    }
}
