package com.relaybox.presence.core.port.out;

/** A port's backing service could not be reached or did not confirm: nothing is lost, try again. */
public final class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public DependencyUnavailableException(String message) {
        super(message);
    }
}
