package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.PresenceJob;

/** Leaves every room of the connection, a {@code leave} broadcast each, and ignores its late joins and updates for a while. */
public interface DisconnectConnection {
    Outcome disconnect(PresenceJob.Disconnect job);
}
