package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;

import java.util.List;
import java.util.OptionalInt;

/** The members of a room, most recent first, one per clientId (the most recent), at most {@code limit}. */
public interface GetRoomMembers {
    List<Member> members(NspRoomId room, OptionalInt limit);
}
