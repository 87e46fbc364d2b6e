package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitConnections;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The presence path's side of history: each {@link #record} call becomes one persistent message,
 * holding every record of the call, on the durable history queue, confirmed by the broker. The
 * {@link HistoryWriter} takes it from there to the database, so the presence path never waits
 * for the database.
 *
 * <p>Safe for concurrent callers: each thread publishes on a confirm channel of its own. A record
 * fails with {@link DependencyUnavailableException} when the broker does not confirm in time,
 * refuses the message, or cannot route it to the queue; after a failure the next call declares
 * the queue again, in case it was deleted.
 */
public final class RabbitHistoryOutbox implements HistoryRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RabbitHistoryOutbox.class);
    private static final AMQP.BasicProperties PERSISTENT_JSON = new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(2).type("presence:history").build();

    private final HistoryQueueSettings settings;
    private final Connection connection;
    private final ConfirmedPublisher publisher;
    private volatile boolean declared;

    public RabbitHistoryOutbox(HistoryQueueSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connection = RabbitConnections.open(settings.rabbit(), "history-outbox");
        try {
            declare();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        this.publisher = new ConfirmedPublisher(connection, settings.confirmTimeout(), "history");
        log.info("history outbox: publishing to queue {} ({})", settings.queue(), settings.queueType().argument());
    }

    @Override
    public void record(List<HistoryRecord> records) {
        Confirmations.await(recordAsync(records));
    }

    @Override
    public CompletableFuture<Void> recordAsync(List<HistoryRecord> records) {
        if (records.isEmpty()) return CompletableFuture.completedFuture(null);
        try {
            if (!declared) declare();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        ConfirmedPublisher.Message message = new ConfirmedPublisher.Message("", settings.queue(), true, PERSISTENT_JSON,
                HistoryJson.encode(records));
        return publisher.publishInOrder(List.of(message)).whenComplete((ok, failure) -> {
            if (failure != null) declared = false;
        });
    }

    /** Declares the history queues on a short-lived channel. */
    private void declare() {
        try {
            Channel channel = connection.createChannel();
            if (channel == null) throw new IOException("no channel available on the history outbox connection");
            try {
                HistoryTopology.declare(channel, settings);
            } finally {
                if (channel.isOpen()) channel.close();
            }
            declared = true;
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            throw new DependencyUnavailableException("cannot declare the history queue " + settings.queue() + ": "
                    + RabbitConnections.describe(e), e);
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
        publisher.close();
        try {
            connection.close(5_000);
        } catch (IOException | AlreadyClosedException e) {
            closeQuietly();
        }
        log.info("history outbox: closed");
    }
}
