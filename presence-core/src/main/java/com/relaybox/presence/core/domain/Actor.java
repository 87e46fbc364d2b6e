package com.relaybox.presence.core.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * Who a job acts for, taken from its session: the app, the connection, the client and the
 * JSON that travels with every broadcast ({@code session} and {@code session.user}, the latter
 * the JSON literal {@code null} when absent).
 */
public record Actor(String appPid, ConnectionId connectionId, Optional<String> clientId,
                    String sessionJson, String userJson) {
    public Actor {
        NspRoomId.requireAppPid(appPid, "session.appPid");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(sessionJson, "sessionJson");
        Objects.requireNonNull(userJson, "userJson");
    }

    /** A job acts only in the rooms of its session's app (CONTRACT §6). */
    public void requireSameApp(NspRoomId room) {
        if (!room.appPid().equals(appPid))
            throw new IllegalArgumentException("nspRoomId '" + room + "' belongs to app '" + room.appPid()
                    + "', not to session.appPid '" + appPid + "'");
    }
}
