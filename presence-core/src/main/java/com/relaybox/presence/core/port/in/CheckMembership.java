package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.NspRoomId;

/** Whether a connection is present in a room. */
public interface CheckMembership {
    boolean isMember(NspRoomId room, ConnectionId connection);
}
