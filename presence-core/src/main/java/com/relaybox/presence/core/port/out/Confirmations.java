package com.relaybox.presence.core.port.out;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for the futures an asynchronous port returns: complete when confirmed, failed when not. */
public final class Confirmations {
    private Confirmations() {
    }

    /** Runs a synchronous step as an asynchronous one: the future is done when this returns. */
    public static CompletableFuture<Void> ofSynchronous(Runnable step) {
        try {
            step.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Waits for the confirmation and rethrows its failure as the port threw it. Not interruptible:
     * a step is not done until its dependency answered, and every port bounds that wait itself.
     */
    public static void await(CompletableFuture<?> confirmation) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    confirmation.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | CancellationException e) {
                    throw unwrap(e);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** The failure a port reported, without the wrappers the future put around it. */
    public static RuntimeException unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null)
            cause = cause.getCause();
        if (cause instanceof RuntimeException runtime) return runtime;
        if (cause instanceof Error error) throw error;
        return new IllegalStateException(cause);
    }
}
