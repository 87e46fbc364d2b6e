package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.PresenceJob;

/** Adds or replaces the member and broadcasts {@code join}. */
public interface JoinRoom {
    Outcome join(PresenceJob.RoomJob job);
}
