package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.PipelinedConsumer;
import com.relaybox.presence.core.port.out.Fence;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The fence of a shard's batch: the channel (of its epoch) the batch's jobs came on, and the way
 * to broadcast under it. {@link RabbitBroadcaster} sends a shard's broadcasts through
 * {@link #publish}, on the consumer's own connection, and not on a connection of its own: the
 * broker hands the queue to another instance only after it has closed this consumer's channel or
 * connection, and it discards whatever arrives on a connection it has closed. So an instance that
 * was frozen, or cut off, past its heartbeat cannot broadcast a batch it no longer owns, even when
 * it publishes before it has noticed its connection is gone.
 */
final class ShardFence implements Fence {
    private final PipelinedConsumer<?> consumer;
    private final long epoch;
    private final ConfirmedPublisher broadcasts;

    ShardFence(PipelinedConsumer<?> consumer, long epoch, ConfirmedPublisher broadcasts) {
        this.consumer = consumer;
        this.epoch = epoch;
        this.broadcasts = broadcasts;
    }

    @Override
    public boolean holds() {
        return consumer.holds(epoch);
    }

    /**
     * Publishes on the calling thread's own channel of the consumer's connection, if the epoch still
     * holds right before the first message goes out. The epoch ends the moment the client learns
     * its channel is gone, before the connection can recover, and that channel publishes only on
     * the connection it was opened on: so what is sent goes out on this epoch's connection, which
     * the broker either still has open (this consumer still holds the queue) or has closed (and
     * discards it), or is not sent at all.
     */
    CompletableFuture<Void> publish(List<ConfirmedPublisher.Message> messages) {
        return broadcasts.publishInOrder(messages, this::holds);
    }
}
