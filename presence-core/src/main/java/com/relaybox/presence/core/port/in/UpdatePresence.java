package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.PresenceJob;

/** Replaces a current member's JSON and broadcasts {@code update}; a non-member is ignored. */
public interface UpdatePresence {
    Outcome update(PresenceJob.RoomJob job);
}
