package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencingToken;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The fence of a shard's batch: the batch's own (its epoch, the channel its jobs came on, and the
 * fencing token its store writes carry), and the way to publish under it. {@link RabbitBroadcaster}
 * sends a shard's broadcasts through {@link #publish}, and the worker its dead letters through
 * {@link #deadLetter}, on the consumer's own connection, not on a connection of their own: the
 * broker hands the queue to another instance only after it has closed this consumer's channel or
 * connection, and it discards whatever arrives on a connection it has closed. So an instance that
 * was frozen, or cut off, past its heartbeat cannot broadcast or dead-letter a batch it no longer
 * owns, even when it publishes before it has noticed its connection is gone.
 */
final class ShardFence implements Fence {
    private final Fence batch;
    private final ConfirmedPublisher broadcasts;
    private final ConfirmedPublisher deadLetters;

    ShardFence(Fence batch, ConfirmedPublisher broadcasts, ConfirmedPublisher deadLetters) {
        this.batch = batch;
        this.broadcasts = broadcasts;
        this.deadLetters = deadLetters;
    }

    @Override
    public boolean holds() {
        return batch.holds();
    }

    @Override
    public Optional<FencingToken> token() {
        return batch.token();
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

    /** Dead letters, as {@link #publish} sends broadcasts: so the queue's new owner is the only one to send them. */
    CompletableFuture<Void> deadLetter(List<ConfirmedPublisher.Message> messages) {
        return deadLetters.publishInOrder(messages, this::holds);
    }
}
