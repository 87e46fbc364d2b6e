package com.relaybox.presence.core.port.out;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether the batch being applied still belongs to this instance. A transport that can lose its
 * source in the middle of a batch (a queue handed to another consumer when a channel dies, a lease
 * that lapsed) passes one with the batch, and whoever sends the batch's effects out asks it right
 * before sending: once it no longer holds, another instance has the batch's jobs, and sending them
 * here too could overtake that instance's broadcasts of earlier jobs of the same room.
 *
 * <p>Asking is enough for what goes out on a connection that dies with the hold (a shard's
 * broadcasts). A write to a shared store is not: it can reach the store after the hold is gone,
 * before this instance knows. For those the fence carries a {@link #token}, and the store itself
 * refuses a write whose token is no longer the newest ({@link PresenceStore#apply}).
 *
 * <p>It travels as a value with the batch, never on the thread, so a decorator or an asynchronous
 * step between the transport and the sender cannot lose it.
 */
@FunctionalInterface
public interface Fence {

    /** For work that no other instance can take over (a request answered in this process). */
    Fence UNFENCED = () -> true;

    boolean holds();

    /** The fencing token the batch's store writes carry; empty when they need none. */
    default Optional<FencingToken> token() {
        return Optional.empty();
    }

    /** This fence, its store writes carrying {@code token}. */
    default Fence withToken(FencingToken token) {
        Objects.requireNonNull(token, "token");
        Fence holding = this;
        return new Fence() {
            @Override
            public boolean holds() {
                return holding.holds();
            }

            @Override
            public Optional<FencingToken> token() {
                return Optional.of(token);
            }
        };
    }

    /** The failure of a send refused because its fence no longer held: the batch is retried where it now belongs. */
    static DependencyUnavailableException lost() {
        return new DependencyUnavailableException("this instance lost the source of the batch while applying it;"
                + " the instance that has it now sends the batch");
    }
}
