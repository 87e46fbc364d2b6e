package com.relaybox.presence.core.port.out;

/**
 * The store refused a batch because its {@link FencingToken} is not the resource's newest any more:
 * another instance has taken the resource since. Nothing of the batch was written. Unlike a
 * {@link DependencyUnavailableException} it is not cured by trying again with the same token.
 */
public final class FencedOutException extends RuntimeException {
    public FencedOutException(String message) {
        super(message);
    }

    public FencedOutException(String message, Throwable cause) {
        super(message, cause);
    }
}
