package com.relaybox.presence.core.domain;

import java.util.Objects;

/** {@code <appPid>:<roomId>}, split at the first colon; the room id may itself hold colons. */
public record NspRoomId(String appPid, String roomId) {

    public NspRoomId {
        requireAppPid(appPid, "appPid");
        Objects.requireNonNull(roomId, "roomId");
        if (roomId.isEmpty()) throw new IllegalArgumentException("roomId must be non-empty");
    }

    public static NspRoomId parse(String raw) {
        int colon = raw == null ? -1 : raw.indexOf(':');
        if (colon <= 0)
            throw new IllegalArgumentException("nspRoomId must be <appPid>:<roomId>, got '" + raw + "'");
        if (colon == raw.length() - 1)
            throw new IllegalArgumentException("nspRoomId '" + raw + "' has an empty roomId");
        return new NspRoomId(raw.substring(0, colon), raw.substring(colon + 1));
    }

    /**
     * CONTRACT §1: an app's public id is non-empty and never holds a ':', which ends it in a
     * nspRoomId. {@code name} says which appPid it is, for the message.
     */
    public static String requireAppPid(String appPid, String name) {
        Objects.requireNonNull(appPid, name);
        if (appPid.isEmpty()) throw new IllegalArgumentException(name + " must be non-empty");
        if (appPid.indexOf(':') >= 0)
            throw new IllegalArgumentException(name + " '" + appPid + "' must not contain ':'");
        return appPid;
    }

    @Override
    public String toString() {
        return appPid + ":" + roomId;
    }
}
