package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether the batch being applied on this thread still belongs to this instance. A shard worker
 * applies a batch with the question set; {@link RabbitBroadcaster} asks it right before it
 * publishes. Once the worker's channel is gone, the broker has handed the queue (and the batch's
 * jobs) to another instance: broadcasting the batch here as well could overtake that instance's
 * broadcasts of earlier jobs of the same room. So the broadcast fails instead, the batch is left
 * unacknowledged, and the instance that now holds the queue broadcasts it, in order.
 *
 * <p>This narrows the window to the moment the client notices its connection is gone; it is not
 * a fence (an instance cut off by a network partition learns it only by missed heartbeats).
 */
final class QueueOwnership {
    private static final ThreadLocal<BooleanSupplier> HELD = new ThreadLocal<>();

    private QueueOwnership() {
    }

    static <T> T whileHeld(BooleanSupplier held, Supplier<T> work) {
        HELD.set(held);
        try {
            return work.get();
        } finally {
            HELD.remove();
        }
    }

    /** @throws DependencyUnavailableException when this thread applies a batch of a queue this instance lost */
    static void check() {
        BooleanSupplier held = HELD.get();
        if (held != null && !held.getAsBoolean())
            throw new DependencyUnavailableException("this instance lost its consumer of the queue while applying the batch;"
                    + " the instance that has it now broadcasts the batch");
    }
}
