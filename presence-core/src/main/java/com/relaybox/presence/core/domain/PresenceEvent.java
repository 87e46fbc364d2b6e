package com.relaybox.presence.core.domain;

import java.util.Objects;
import java.util.Optional;

/** One broadcast of CONTRACT §4: a member's change in one room. */
public record PresenceEvent(NspRoomId room, Member member, String sessionJson, Optional<String> latencyLog) {
    public PresenceEvent {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(sessionJson, "sessionJson");
        Objects.requireNonNull(latencyLog, "latencyLog");
    }

    public EventType type() {
        return member.event();
    }

    /** {@code <nspRoomId>:$:presence:<join|leave|update>}, the websocket frame's type. */
    public String eventName() {
        return eventName(room, member.event());
    }

    public static String eventName(NspRoomId room, EventType event) {
        return room + ":$:presence:" + event.wireName();
    }
}
