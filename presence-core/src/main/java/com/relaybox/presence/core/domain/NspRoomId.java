package com.relaybox.presence.core.domain;

import java.util.Objects;

/** {@code <appPid>:<roomId>}, split at the first colon; the room id may itself hold colons. */
public record NspRoomId(String appPid, String roomId) {

    public NspRoomId {
        Objects.requireNonNull(appPid, "appPid");
        Objects.requireNonNull(roomId, "roomId");
        if (appPid.isEmpty() || appPid.indexOf(':') >= 0)
            throw new InvalidJobException("appPid must be non-empty and hold no ':', got '" + appPid + "'");
        if (roomId.isEmpty())
            throw new InvalidJobException("roomId must be non-empty");
    }

    public static NspRoomId parse(String raw) {
        int colon = raw == null ? -1 : raw.indexOf(':');
        if (colon <= 0)
            throw new InvalidJobException("nspRoomId must be <appPid>:<roomId>, got '" + raw + "'");
        if (colon == raw.length() - 1)
            throw new InvalidJobException("nspRoomId '" + raw + "' has an empty roomId");
        return new NspRoomId(raw.substring(0, colon), raw.substring(colon + 1));
    }

    @Override
    public String toString() {
        return appPid + ":" + roomId;
    }
}
