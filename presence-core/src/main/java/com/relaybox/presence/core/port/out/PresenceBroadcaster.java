package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.PresenceEvent;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Sends presence events to the room's subscribers (CONTRACT §4). */
public interface PresenceBroadcaster {

    /**
     * Sends the events, in order, without waiting for them to be accepted for delivery (for a
     * broker: confirmed): the future completes once every one is, or fails with
     * {@link DependencyUnavailableException}; the caller then retries the whole list. Lists sent
     * from one thread go out in the order of the calls, so that thread may send the next list
     * before this one is confirmed. Nothing is sent, and the future fails, when {@code fence} no
     * longer holds at the moment of sending. {@link Confirmations#await} waits for it.
     */
    CompletableFuture<Void> broadcast(List<PresenceEvent> events, Fence fence);
}
