package com.relaybox.presence.core.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * A connection present in some room whose last heartbeat is older than the liveness timeout
 * (CONTRACT §8): it died without a word. {@code heartbeatMillis} is the stale heartbeat the
 * eviction is decided on; with the connection it makes the eviction's job id, so every sweeper,
 * on every instance, evicts one ghost under one id and the store applies it once.
 *
 * <p>{@code appPid}, {@code clientId} and {@code userJson} come from the member the connection
 * shows in one of its rooms, so that its leave broadcasts say who left, as a disconnect's do.
 */
public record Ghost(ConnectionId connection, long heartbeatMillis, String appPid, Optional<String> clientId,
                    String userJson) {
    public Ghost {
        Objects.requireNonNull(connection, "connection");
        NspRoomId.requireAppPid(appPid, "appPid");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(userJson, "userJson");
    }

    /** The eviction's job id: the same for every attempt at evicting this connection at this heartbeat. */
    public JobId jobId() {
        return new JobId("ghost:" + heartbeatMillis + ":" + connection.value());
    }
}
