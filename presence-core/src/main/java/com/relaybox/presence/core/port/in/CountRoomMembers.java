package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.NspRoomId;

/** How many connections are present in a room, as RelayBox counts them (the index length). */
public interface CountRoomMembers {
    long count(NspRoomId room);
}
