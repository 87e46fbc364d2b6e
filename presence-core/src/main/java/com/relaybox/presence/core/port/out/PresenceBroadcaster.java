package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.PresenceEvent;

import java.util.List;

/** Sends presence events to the room's subscribers (CONTRACT §4). */
public interface PresenceBroadcaster {

    /**
     * Sends the events, in order, and returns once every one is accepted for delivery (for a
     * broker: confirmed). Throws {@link DependencyUnavailableException} when that cannot be
     * promised; the caller then retries the whole list.
     */
    void broadcast(List<PresenceEvent> events);
}
