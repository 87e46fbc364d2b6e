package com.relaybox.presence.app.wiring;

import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Embedded mode's broadcasts: core's {@link InMemoryBroadcaster} renders each body exactly as
 * RabbitMQ would carry it; the body is logged at DEBUG and then dropped, so a long-running
 * embedded process does not keep every broadcast it ever made.
 */
final class EmbeddedBroadcasts implements PresenceBroadcaster {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroadcasts.class);

    private final InMemoryBroadcaster rendered = new InMemoryBroadcaster();

    @Override
    public synchronized void broadcast(List<PresenceEvent> events) {
        rendered.broadcast(events);
        if (log.isDebugEnabled())
            for (InMemoryBroadcaster.Sent sent : rendered.sent())
                log.debug("event=broadcast room={} type={} body={}", sent.event().room(), sent.event().eventName(),
                        sent.body());
        rendered.clear();
    }
}
