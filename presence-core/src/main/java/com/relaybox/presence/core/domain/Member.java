package com.relaybox.presence.core.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * A member of a room as RelayBox shows it: the {@code data} of a broadcast (CONTRACT §4) and
 * the value of the room's members hash. {@code id} and {@code clientId} are the same value on
 * the wire; {@code dataJson} and {@code userJson} are JSON ({@code null} when absent).
 */
public record Member(Optional<String> clientId, ConnectionId connectionId, String dataJson,
                     String timestamp, EventType event, String userJson) {
    public Member {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(dataJson, "dataJson");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(userJson, "userJson");
    }
}
