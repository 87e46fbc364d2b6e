package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Keeps every broadcast, as the body RabbitMQ would carry, for embedded mode and tests. */
public final class InMemoryBroadcaster implements PresenceBroadcaster {
    private final List<Sent> sent = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Void> broadcast(List<PresenceEvent> events, Fence fence) {
        if (!fence.holds()) return CompletableFuture.failedFuture(Fence.lost());
        for (PresenceEvent event : events) sent.add(new Sent(event, PresenceJson.broadcast(event)));
        return CompletableFuture.completedFuture(null);
    }

    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    public synchronized List<PresenceEvent> events() {
        return sent.stream().map(Sent::event).toList();
    }

    public synchronized void clear() {
        sent.clear();
    }

    /** One broadcast: the event and the body it went out as. */
    public record Sent(PresenceEvent event, String body) {
    }
}
