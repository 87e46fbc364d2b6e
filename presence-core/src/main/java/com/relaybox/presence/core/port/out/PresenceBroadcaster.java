package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.PresenceEvent;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Sends presence events to the room's subscribers (CONTRACT §4). */
public interface PresenceBroadcaster {

    /**
     * Sends the events, in order, and returns once every one is accepted for delivery (for a
     * broker: confirmed). Throws {@link DependencyUnavailableException} when that cannot be
     * promised; the caller then retries the whole list.
     */
    void broadcast(List<PresenceEvent> events);

    /**
     * Sends the events, in order, without waiting for them to be accepted: the future completes
     * once every one is, or fails with {@link DependencyUnavailableException}. Lists sent from one
     * thread go out in the order of the calls, so that thread may send the next list before this
     * one is confirmed. This default sends synchronously.
     */
    default CompletableFuture<Void> broadcastAsync(List<PresenceEvent> events) {
        return Confirmations.ofSynchronous(() -> broadcast(events));
    }
}
