package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.NspRoomId;

import java.util.List;

/** The rooms a connection is present in, sorted by name. */
public interface GetConnectionRooms {
    List<NspRoomId> rooms(ConnectionId connection);
}
