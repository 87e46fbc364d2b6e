package com.relaybox.presence.core.service;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.in.CountRoomMembers;
import com.relaybox.presence.core.port.in.GetConnectionRooms;
import com.relaybox.presence.core.port.in.GetRoomMembers;
import com.relaybox.presence.core.port.out.PresenceStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/** The presence reads offered to embedders and over HTTP (CONTRACT §3). */
public final class PresenceReads implements GetRoomMembers, CountRoomMembers, GetConnectionRooms {
    private static final int FULL_PAGE = 1000;

    private final PresenceStore store;

    public PresenceReads(PresenceStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Reads the index a page at a time, so a limit does not read the whole room. */
    @Override
    public List<Member> members(NspRoomId room, OptionalInt limit) {
        if (limit.isPresent() && limit.getAsInt() < 1)
            throw new IllegalArgumentException("limit must be >= 1, got " + limit.getAsInt());
        int wanted = limit.orElse(Integer.MAX_VALUE);
        int pageSize = limit.isPresent() ? Math.min(FULL_PAGE, Math.max(32, 2 * wanted)) : FULL_PAGE;
        List<Member> members = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int offset = 0; ; offset += pageSize) {
            List<Member> page = store.memberPage(room, offset, pageSize);
            for (Member member : page) {
                String identity = member.clientId().orElse("\0connection:" + member.connectionId());
                if (seen.add(identity)) {
                    members.add(member);
                    if (members.size() == wanted) return members;
                }
            }
            if (page.size() < pageSize) return members;
        }
    }

    @Override
    public long count(NspRoomId room) {
        return store.count(room);
    }

    @Override
    public List<NspRoomId> rooms(ConnectionId connection) {
        List<NspRoomId> rooms = new ArrayList<>(store.rooms(connection));
        rooms.sort(Comparator.comparing(NspRoomId::toString));
        return rooms;
    }
}
