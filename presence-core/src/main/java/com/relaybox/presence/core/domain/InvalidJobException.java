package com.relaybox.presence.core.domain;

/**
 * {@code JobParser}'s verdict on a job that cannot be applied as it is (CONTRACT §6). The message
 * is the one-line reason.
 */
public final class InvalidJobException extends RuntimeException {
    public InvalidJobException(String reason) {
        super(reason, null, false, false);
    }
}
