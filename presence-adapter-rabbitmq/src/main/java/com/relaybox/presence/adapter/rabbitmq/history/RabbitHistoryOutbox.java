package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The presence path's side of history: records become persistent messages on the durable history
 * queue, confirmed by the broker. The {@link HistoryWriter} takes them from there to the database,
 * so the presence path never waits for the database.
 *
 * <p>Records from every caller are gathered into one message at most every {@link #LINGER} (or
 * sooner once {@link #MAX_RECORDS} are waiting), and each caller's future completes when the
 * message holding its records is confirmed. The first records after a quiet spell go at once; under
 * load the broker sees one quorum-queue commit per linger instead of one per batch, and as the
 * shard workers do not wait for these confirmations (they acknowledge jobs when they come) the
 * linger delays only the acknowledgement, not the broadcast.
 *
 * <p>Safe for concurrent callers. A record fails with {@link DependencyUnavailableException} when
 * the broker does not confirm in time, refuses the message, or cannot route it to the queue; after
 * a failure the next message declares the queue again first, in case it was deleted.
 */
public final class RabbitHistoryOutbox implements HistoryRecorder, AutoCloseable {
    static final Duration LINGER = Duration.ofMillis(10);
    static final int MAX_RECORDS = 1_000;
    private static final Logger log = LoggerFactory.getLogger(RabbitHistoryOutbox.class);
    private static final AMQP.BasicProperties PERSISTENT_JSON = new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(2).type("presence:history").build();

    private final HistoryQueueSettings settings;
    private final Connection connection;
    private final ConfirmedPublisher publisher;
    private final Thread sender;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition waiting = lock.newCondition();
    // guarded by lock: the records of the next message, and its callers' future
    private List<HistoryRecord> gathered = new ArrayList<>();
    private CompletableFuture<Void> gatheredConfirmed = new CompletableFuture<>();
    private boolean closed;
    private volatile boolean declared;
    private volatile CompletableFuture<Void> lastSent = CompletableFuture.completedFuture(null);

    public RabbitHistoryOutbox(HistoryQueueSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connection = RabbitConnections.open(settings.rabbit(), "history-outbox");
        try {
            declare();
        } catch (RuntimeException e) {
            RabbitConnections.closeQuietly(connection, 2_000);
            throw e;
        }
        this.publisher = new ConfirmedPublisher(connection, settings.confirmTimeout(), "history");
        this.sender = new Thread(this::send, "presence-history-outbox");
        sender.setDaemon(true);
        sender.start();
        log.info("event=history_outbox_open queue={} queue_type={}", settings.queue(), settings.queueType().argument());
    }

    @Override
    public CompletableFuture<Void> record(List<HistoryRecord> records) {
        if (records.isEmpty()) return CompletableFuture.completedFuture(null);
        lock.lock();
        try {
            if (closed) return CompletableFuture.failedFuture(new DependencyUnavailableException("the history outbox is closed"));
            boolean wasEmpty = gathered.isEmpty();
            gathered.addAll(records);
            if (wasEmpty || gathered.size() >= MAX_RECORDS) waiting.signal();
            return gatheredConfirmed;
        } finally {
            lock.unlock();
        }
    }

    /** The sender thread: one message per linger at most, each published without waiting for the one before. */
    private void send() {
        long sentAt = System.nanoTime() - LINGER.toNanos();
        while (true) {
            List<HistoryRecord> records;
            CompletableFuture<Void> confirmed;
            lock.lock();
            try {
                while (gathered.isEmpty() && !closed) waiting.awaitUninterruptibly();
                if (gathered.isEmpty()) return;
                long due = sentAt + LINGER.toNanos();
                for (long wait; !closed && gathered.size() < MAX_RECORDS && (wait = due - System.nanoTime()) > 0; ) {
                    try {
                        waiting.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                records = gathered;
                confirmed = gatheredConfirmed;
                gathered = new ArrayList<>();
                gatheredConfirmed = new CompletableFuture<>();
            } finally {
                lock.unlock();
            }
            sentAt = System.nanoTime();
            lastSent = publish(records).whenComplete((ok, failure) -> {
                if (failure == null) confirmed.complete(null);
                else confirmed.completeExceptionally(Confirmations.unwrap(failure));
            });
        }
    }

    private CompletableFuture<Void> publish(List<HistoryRecord> records) {
        try {
            if (!declared) declare();
            ConfirmedPublisher.Message message = new ConfirmedPublisher.Message("", settings.queue(), true, PERSISTENT_JSON,
                    HistoryJson.encode(records));
            return publisher.publishInOrder(List.of(message)).whenComplete((ok, failure) -> {
                if (failure != null) declared = false;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
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

    /** Sends what is gathered and waits (bounded) for its confirm, then closes; records given after this fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            waiting.signal();
        } finally {
            lock.unlock();
        }
        try {
            long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
            sender.join(settings.confirmTimeout().toMillis());
            lastSent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // its callers were told; nothing more to wait for
        }
        publisher.close();
        RabbitConnections.closeQuietly(connection, 5_000);
        log.info("event=history_outbox_closed");
    }
}
