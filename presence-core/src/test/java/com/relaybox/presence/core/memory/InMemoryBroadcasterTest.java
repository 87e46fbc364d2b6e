package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.contract.PresenceBroadcasterContract;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;

import java.util.List;

class InMemoryBroadcasterTest extends PresenceBroadcasterContract {
    private final InMemoryBroadcaster broadcaster = new InMemoryBroadcaster();

    @Override
    protected PresenceBroadcaster broadcaster() {
        return broadcaster;
    }

    @Override
    protected List<String> awaitDelivered(int count) {
        return broadcaster.sent().stream().map(InMemoryBroadcaster.Sent::body).toList();
    }
}
