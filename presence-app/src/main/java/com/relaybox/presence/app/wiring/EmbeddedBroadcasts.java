package com.relaybox.presence.app.wiring;

import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Embedded mode's broadcasts: with nobody to deliver them to, each body is written exactly as
 * RabbitMQ would carry it and logged at DEBUG, then dropped, so a long-running embedded process
 * keeps nothing; with DEBUG off nothing is rendered at all.
 */
final class EmbeddedBroadcasts implements PresenceBroadcaster {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroadcasts.class);

    @Override
    public CompletableFuture<Void> broadcast(List<PresenceEvent> events, Fence fence) {
        if (!fence.holds()) return CompletableFuture.failedFuture(Fence.lost());
        if (log.isDebugEnabled())
            for (PresenceEvent event : events)
                log.debug("event=broadcast room={} type={} body={}", event.room(), event.eventName(),
                        PresenceJson.broadcast(event));
        return CompletableFuture.completedFuture(null);
    }
}
