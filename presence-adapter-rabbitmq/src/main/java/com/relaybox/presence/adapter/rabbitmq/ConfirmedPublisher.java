package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes lists of messages with publisher confirms, many callers at once: each call borrows a
 * channel of its own from a pool (so its confirms are its own), publishes the whole list without
 * waiting, then waits once for the broker to confirm all of it. A channel that failed in any way is
 * closed and forgotten; the next call opens a fresh one. The pool grows to the number of
 * concurrent callers (one per consumer worker in this service).
 */
final class ConfirmedPublisher implements AutoCloseable {
    private final Connection connection;
    private final Duration confirmTimeout;
    private final String what;
    private final ConcurrentLinkedQueue<PooledChannel> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    ConfirmedPublisher(Connection connection, Duration confirmTimeout, String what) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.confirmTimeout = Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        this.what = Objects.requireNonNull(what, "what");
    }

    /** One message to publish. A {@code mandatory} message that no queue takes fails the whole call. */
    record Message(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body) {
    }

    /**
     * Publishes the messages in order and returns once the broker confirmed every one.
     *
     * @throws DependencyUnavailableException when the broker is unreachable, nacks a message, a
     *                                        mandatory message is unroutable, or the confirms do not come in time;
     *                                        any of the messages may then have been published
     */
    void publish(List<Message> messages) {
        if (messages.isEmpty()) return;
        if (closed) throw new DependencyUnavailableException(what + " is closed");
        PooledChannel pooled = borrow();
        boolean healthy = false;
        try {
            pooled.returned.set(0);
            for (Message message : messages)
                pooled.channel.basicPublish(message.exchange(), message.routingKey(), message.mandatory(),
                        message.properties(), message.body());
            if (!pooled.channel.waitForConfirms(confirmTimeout.toMillis()))
                throw new DependencyUnavailableException("RabbitMQ refused (nacked) " + what + " messages");
            int returned = pooled.returned.get();
            if (returned > 0)
                throw new DependencyUnavailableException(returned + " of " + messages.size() + " " + what
                        + " messages were unroutable: no queue is bound for them (" + messages.get(0).exchange() + ")");
            healthy = true;
        } catch (IOException | ShutdownSignalException e) {
            throw new DependencyUnavailableException("cannot publish " + what + " messages: " + RabbitConnections.describe(e), e);
        } catch (TimeoutException e) {
            throw new DependencyUnavailableException("RabbitMQ did not confirm " + messages.size() + " " + what
                    + " messages within " + confirmTimeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted while waiting for confirms of " + what + " messages", e);
        } finally {
            if (healthy && !closed) idle.add(pooled);
            else pooled.close();
        }
    }

    private PooledChannel borrow() {
        for (PooledChannel pooled; (pooled = idle.poll()) != null; ) {
            if (pooled.channel.isOpen()) return pooled;
            pooled.close();
        }
        try {
            Channel channel = connection.createChannel();
            if (channel == null) throw new DependencyUnavailableException("no channel left on the connection for " + what);
            channel.confirmSelect();
            return new PooledChannel(channel);
        } catch (IOException | ShutdownSignalException e) {
            throw new DependencyUnavailableException("cannot open a channel for " + what + " messages: "
                    + RabbitConnections.describe(e), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (PooledChannel pooled; (pooled = idle.poll()) != null; ) pooled.close();
    }

    private static final class PooledChannel {
        final Channel channel;
        final AtomicInteger returned = new AtomicInteger();

        PooledChannel(Channel channel) {
            this.channel = channel;
            // basic.return comes before the basic.ack of the same message, on the same thread, so
            // it is counted by the time waitForConfirms returns.
            channel.addReturnListener(message -> returned.incrementAndGet());
        }

        void close() {
            if (!channel.isOpen()) return;
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                try {
                    channel.abort();
                } catch (IOException | RuntimeException ignored) {
                    // the connection is gone or in recovery: nothing to give back
                }
            }
        }
    }
}
