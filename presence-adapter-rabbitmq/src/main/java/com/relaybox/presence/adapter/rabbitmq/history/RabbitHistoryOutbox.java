package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.RabbitConnections;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The presence path's side of history: each {@link #record} call becomes one persistent message,
 * holding every record of the call, on the durable history queue, and returns once the broker has
 * confirmed it. The {@link HistoryWriter} takes it from there to the database, so the presence
 * path never waits for the database.
 *
 * <p>Safe for concurrent callers: each call publishes on a confirm channel of its own from a small
 * pool. Throws {@link DependencyUnavailableException} when the broker does not confirm in time,
 * refuses the message, or cannot route it to the queue.
 */
public final class RabbitHistoryOutbox implements HistoryRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RabbitHistoryOutbox.class);
    private static final int IDLE_CHANNELS = 8;
    private static final AMQP.BasicProperties PERSISTENT_JSON = new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(2).type("presence:history").build();

    private final HistoryQueueSettings settings;
    private final Connection connection;
    private final BlockingQueue<Publisher> idle = new ArrayBlockingQueue<>(IDLE_CHANNELS);
    private volatile boolean declared;

    public RabbitHistoryOutbox(HistoryQueueSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connection = RabbitConnections.open(settings.rabbit(), "history-outbox");
        try {
            Publisher publisher = newPublisher();
            HistoryTopology.declare(publisher.channel, settings);
            declared = true;
            idle.offer(publisher);
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw new DependencyUnavailableException("cannot declare the history queue " + settings.queue() + ": " + e.getMessage(), e);
        }
        log.info("history outbox: publishing to queue {} ({})", settings.queue(), settings.queueType().argument());
    }

    @Override
    public void record(List<HistoryRecord> records) {
        if (records.isEmpty()) return;
        byte[] body = HistoryJson.encode(records);
        Publisher publisher = null;
        try {
            publisher = borrow();
            if (!declared) {
                HistoryTopology.declare(publisher.channel, settings);
                declared = true;
            }
            publisher.publish(body);
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            discard(publisher);
            publisher = null;
            throw new DependencyUnavailableException("RabbitMQ did not confirm " + records.size()
                    + " history records on " + settings.queue() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discard(publisher);
            publisher = null;
            throw new DependencyUnavailableException("interrupted while waiting for RabbitMQ's confirm", e);
        } catch (UnroutableException e) {
            declared = false;
            throw new DependencyUnavailableException(e.getMessage());
        } finally {
            if (publisher != null) giveBack(publisher);
        }
    }

    private Publisher borrow() throws IOException {
        Publisher publisher;
        while ((publisher = idle.poll()) != null) {
            if (publisher.channel.isOpen()) return publisher;
            discard(publisher);
        }
        return newPublisher();
    }

    private Publisher newPublisher() throws IOException {
        Channel channel = connection.createChannel();
        if (channel == null) throw new IOException("no channel available on the history outbox connection");
        channel.confirmSelect();
        return new Publisher(channel);
    }

    private void giveBack(Publisher publisher) {
        if (!publisher.channel.isOpen() || !idle.offer(publisher)) discard(publisher);
    }

    private static void discard(Publisher publisher) {
        if (publisher == null) return;
        try {
            publisher.channel.abort();
        } catch (IOException | RuntimeException ignored) {
            // closing a broken channel: nothing more to do
        }
    }

    private void closeQuietly() {
        try {
            connection.abort(2_000);
        } catch (RuntimeException ignored) {
            // the connection was not usable anyway
        }
    }

    @Override
    public void close() {
        Publisher publisher;
        while ((publisher = idle.poll()) != null) discard(publisher);
        try {
            connection.close(5_000);
        } catch (IOException | AlreadyClosedException e) {
            closeQuietly();
        }
        log.info("history outbox: closed");
    }

    /** A confirm channel used by one caller at a time, so its confirms are that caller's. */
    private final class Publisher {
        private final Channel channel;
        private final AtomicBoolean returned = new AtomicBoolean();

        Publisher(Channel channel) {
            this.channel = channel;
            // mandatory: a message the broker cannot route (the queue was deleted) comes back
            // before its confirm, instead of being confirmed and dropped.
            channel.addReturnListener(r -> returned.set(true));
        }

        void publish(byte[] body) throws IOException, InterruptedException, TimeoutException {
            returned.set(false);
            channel.basicPublish("", settings.queue(), true, PERSISTENT_JSON, body);
            channel.waitForConfirmsOrDie(settings.confirmTimeout().toMillis());
            if (returned.get())
                throw new UnroutableException("RabbitMQ could not route history to queue " + settings.queue()
                        + " (deleted?); it is declared again on the next call");
        }
    }

    private static final class UnroutableException extends RuntimeException {
        UnroutableException(String message) {
            super(message, null, false, false);
        }
    }
}
