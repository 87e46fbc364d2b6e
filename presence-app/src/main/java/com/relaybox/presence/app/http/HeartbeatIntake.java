package com.relaybox.presence.app.http;

import com.relaybox.presence.core.domain.ConnectionId;

import java.time.Instant;

/**
 * Where {@code POST /v1/connections/{connectionId}/heartbeat} records a heartbeat (CONTRACT §8):
 * embedded mode's own liveness, so eviction can be tried without RelayBox's session service. In
 * services mode that service writes the heartbeats to Redis, and the route is not there.
 */
public interface HeartbeatIntake {

    /** Records the connection's heartbeat now; answers the time recorded. */
    Instant heartbeat(ConnectionId connection);
}
