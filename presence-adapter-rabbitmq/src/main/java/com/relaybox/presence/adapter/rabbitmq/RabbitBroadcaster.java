package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.domain.Shard;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * RelayBox's broadcast (CONTRACT §4): each event goes to {@code ds.rooms.durable} with routing key
 * {@code $$:<appPid>:<shard(roomId)>}, the body of {@link PresenceJson#broadcast} with a fresh
 * request id, {@code application/json}, transient, not mandatory (a room nobody subscribes to has
 * no bound queue: its broadcast is dropped by design). Each thread publishes on a channel of its
 * own, so what one thread broadcasts goes out in the order of its calls, and a call waits (or its
 * future completes) once for all its events' confirms.
 * It has its own connection, with automatic recovery, for every caller but the shard workers: the
 * events of a shard's batch, fenced by a {@link ShardFence}, go out on the connection that consumed
 * them, so that they cannot go out once the broker has handed their queue to another instance.
 */
public final class RabbitBroadcaster implements PresenceBroadcaster, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitBroadcaster.class);
    private static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(1)
            .build();

    private final int queueCount;
    private final Connection connection;
    private final ConfirmedPublisher publisher;

    /**
     * Connects and declares {@code ds.rooms.durable}.
     *
     * @throws com.relaybox.presence.core.port.out.DependencyUnavailableException when the broker cannot be reached
     * @throws IllegalStateException when the exchange exists with another type
     */
    public RabbitBroadcaster(RabbitSettings settings) {
        this.queueCount = settings.queueCount();
        this.connection = RabbitConnections.open(settings, "broadcaster");
        try {
            Topology.declareBroadcastExchange(connection, settings);
        } catch (RuntimeException e) {
            RabbitConnections.closeQuietly(connection, 1_000);
            throw e;
        }
        this.publisher = new ConfirmedPublisher(connection, settings.confirmTimeout(), "broadcast");
    }

    @Override
    public CompletableFuture<Void> broadcast(List<PresenceEvent> events, Fence fence) {
        if (events.isEmpty()) return CompletableFuture.completedFuture(null);
        List<ConfirmedPublisher.Message> messages = new ArrayList<>(events.size());
        for (PresenceEvent event : events)
            messages.add(new ConfirmedPublisher.Message(Topology.BROADCAST_EXCHANGE,
                    Shard.broadcastRoutingKey(event.room(), queueCount), false, PROPERTIES,
                    PresenceJson.broadcast(event).getBytes(StandardCharsets.UTF_8)));
        if (fence instanceof ShardFence shard) return shard.publish(messages);
        // Asked at the last moment before publishing: the channel of the batch may have gone while it was applied.
        if (!fence.holds()) return CompletableFuture.failedFuture(Fence.lost());
        return publisher.publishInOrder(messages);
    }

    @Override
    public void close() {
        publisher.close();
        RabbitConnections.closeQuietly(connection, 5_000);
        LOG.info("event=broadcaster_closed");
    }
}
