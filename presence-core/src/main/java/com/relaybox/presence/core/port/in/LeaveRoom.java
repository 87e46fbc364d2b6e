package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.PresenceJob;

/** Removes a current member everywhere and broadcasts {@code leave}; a non-member is ignored. */
public interface LeaveRoom {
    Outcome leave(PresenceJob.RoomJob job);
}
