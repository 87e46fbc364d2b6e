package com.relaybox.presence.adapter.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Takes messages from a queue one at a time ({@code basic.get}) without removing them: each stays
 * the broker's, held by this channel, until {@link #remove} acknowledges it; {@link #close} gives
 * every one not removed back to the queue. So whatever happens to the process between taking and
 * removing, the queue still has the message.
 *
 * <p>Public only so that the other packages of this module can use it; not part of the adapter's API.
 */
public final class HeldMessages implements AutoCloseable {
    private final Channel channel;
    private final String queue;

    /** One message taken, not yet removed. */
    public record Held(long tag, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    }

    public HeldMessages(Connection connection, String queue) {
        this.queue = Objects.requireNonNull(queue, "queue");
        try {
            this.channel = connection.createChannel();
            if (channel == null) throw new IOException("no channel left on the connection");
        } catch (IOException | ShutdownSignalException e) {
            throw failure("cannot open a channel to read " + queue, e);
        }
    }

    /** The messages ready in the queue now: neither delivered nor held by a channel. */
    public long ready() {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException | ShutdownSignalException e) {
            throw failure("cannot read the depth of " + queue, e);
        }
    }

    /** The next ready message, held; empty when none is ready. */
    public Optional<Held> next() {
        try {
            GetResponse got = channel.basicGet(queue, false);
            if (got == null) return Optional.empty();
            return Optional.of(new Held(got.getEnvelope().getDeliveryTag(), got.getEnvelope().getRoutingKey(),
                    got.getProps(), got.getBody()));
        } catch (IOException | ShutdownSignalException e) {
            throw failure("cannot take a message from " + queue, e);
        }
    }

    /** Acknowledges the message: the queue forgets it. */
    public void remove(Held held) {
        try {
            channel.basicAck(held.tag(), false);
        } catch (IOException | ShutdownSignalException e) {
            throw failure("cannot remove a message from " + queue, e);
        }
    }

    private static DependencyUnavailableException failure(String what, Exception e) {
        return new DependencyUnavailableException(what + ": " + RabbitConnections.describe(e), e);
    }

    /** Gives back every message held and not removed, in order, to the head of the queue. */
    @Override
    public void close() {
        RabbitConnections.closeQuietly(channel);
    }
}
