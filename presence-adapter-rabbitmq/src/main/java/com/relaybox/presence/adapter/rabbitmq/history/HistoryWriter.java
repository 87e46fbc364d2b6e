package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.RabbitConnections;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves history from the durable queue to its store: consumes the messages of
 * {@link RabbitHistoryOutbox}, merges several into one batch (up to a number of records or a short
 * wait), hands the batch to the target recorder, and acknowledges the messages only once the target
 * has returned, that is, committed.
 *
 * <p>When the target fails the writer keeps the batch, acknowledges nothing, and tries again with
 * a doubling wait up to a cap: the records wait in the queue, durably, for as long as the outage
 * lasts. A record is never lost; one written before a crash or a lost connection is delivered
 * again, and the target's unique key makes that a no-op. A message that is not history (it cannot
 * be decoded) is dead-lettered to {@code <queue>-dlq} and the writer goes on.
 *
 * <p>It starts consuming when built; {@link #status()} tells the health checks and metrics whether
 * it is writing and how many messages wait.
 */
public final class HistoryWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HistoryWriter.class);
    private static final long IDLE_POLL_MS = 200;

    private final HistoryQueueSettings queue;
    private final HistoryWriterSettings settings;
    private final HistoryRecorder target;
    private final Connection connection;
    private final Channel channel;
    private final String consumerTag;
    private final BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong unacknowledged = new AtomicLong();
    private final AtomicLong recordsWritten = new AtomicLong();
    private final Object adminLock = new Object();
    private Channel admin;
    private volatile long closeDeadlineNanos;
    private volatile String problem;
    private volatile long failingSinceNanos;
    private volatile boolean cancelledByBroker;

    public HistoryWriter(HistoryQueueSettings queue, HistoryWriterSettings settings, HistoryRecorder target) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.target = Objects.requireNonNull(target, "target");
        this.connection = RabbitConnections.open(queue.rabbit(), "history-writer");
        try {
            this.channel = connection.createChannel();
            HistoryTopology.declare(channel, queue);
            channel.basicQos(settings.prefetch());
            this.consumerTag = channel.basicConsume(queue.queue(), false, "presence-history-writer", new Inbox(channel));
        } catch (IOException | RuntimeException e) {
            RabbitConnections.closeQuietly(connection, 2_000);
            throw new DependencyUnavailableException("cannot consume the history queue " + queue.queue() + ": " + e.getMessage(), e);
        }
        this.worker = new Thread(this::run, "presence-history-writer");
        worker.start();
        log.info("history writer: consuming {} in batches of up to {} records or {} ms", queue.queue(),
                settings.batchRecords(), settings.maxWait().toMillis());
    }

    /** Whether history is being written, how much waits, and what is wrong if anything. */
    public Status status() {
        String why = problem;
        if (why == null && cancelledByBroker) why = "the broker cancelled the writer's consumer (queue deleted?)";
        if (why == null && !channel.isOpen()) why = "RabbitMQ connection lost, reconnecting";
        return new Status(why == null, backlog(), recordsWritten.get(), why == null ? "writing" : why);
    }

    /**
     * Messages not yet written: those ready in the queue plus those delivered to this writer and not
     * yet acknowledged. Empty when the broker cannot be asked.
     */
    public OptionalLong backlog() {
        synchronized (adminLock) {
            try {
                if (admin == null || !admin.isOpen()) admin = connection.createChannel();
                if (admin == null) return OptionalLong.empty();
                return OptionalLong.of(admin.queueDeclarePassive(queue.queue()).getMessageCount() + unacknowledged.get());
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }
    }

    private void run() {
        try {
            loop();
        } catch (RuntimeException | Error e) {
            problem = "the history writer stopped on an unexpected error: " + e;
            log.error("history writer: stopped on an unexpected error; unwritten history stays in the queue", e);
            throw e;
        }
    }

    private void loop() {
        while (closing.getCount() > 0) {
            List<Delivery> batch = new ArrayList<>();
            List<HistoryRecord> records = new ArrayList<>();
            try {
                Delivery first = inbox.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                take(first, batch, records);
                long deadline = System.nanoTime() + settings.maxWait().toNanos();
                while (records.size() < settings.batchRecords() && closing.getCount() > 0) {
                    Delivery next = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) break;
                    take(next, batch, records);
                }
            } catch (InterruptedException e) {
                break;
            }
            if (batch.isEmpty()) continue;
            if (!write(records)) break;
            acknowledge(batch);
        }
        log.info("history writer: stopped, {} records written", recordsWritten.get());
    }

    /** Adds a delivery's records to the batch; dead-letters a message that is not history. */
    private void take(Delivery delivery, List<Delivery> batch, List<HistoryRecord> records) {
        if (delivery.records != null) {
            records.addAll(delivery.records);
            batch.add(delivery);
            return;
        }
        log.warn("history writer: message of {} bytes is not history, dead-lettered to {}: {}", delivery.size,
                queue.deadLetterQueue(), delivery.problem);
        settle(() -> channel.basicNack(delivery.tag, false, false));
        unacknowledged.decrementAndGet();
    }

    /** Writes until the target returns; false when closing gave up on it (nothing is acknowledged then). */
    private boolean write(List<HistoryRecord> records) {
        long backoffMs = settings.minBackoff().toMillis();
        int attempts = 0;
        while (true) {
            try {
                if (!records.isEmpty()) target.record(records);
                recordsWritten.addAndGet(records.size());
                if (problem != null) {
                    log.info("history writer: writing again after {} s and {} failed attempts",
                            Duration.ofNanos(System.nanoTime() - failingSinceNanos).toSeconds(), attempts);
                    problem = null;
                }
                return true;
            } catch (RuntimeException e) {
                attempts++;
                if (problem == null) {
                    failingSinceNanos = System.nanoTime();
                    if (e instanceof DependencyUnavailableException)
                        log.warn("history writer: cannot write {} records, keeping them in the queue and retrying: {}",
                                records.size(), e.getMessage());
                    else
                        log.error("history writer: the history store failed on {} records, keeping them in the queue"
                                + " and retrying", records.size(), e);
                }
                problem = "history store unavailable: " + e.getMessage();
                if (!pause(jitter(backoffMs))) {
                    log.warn("history writer: closing with {} records unwritten; they stay in the queue", records.size());
                    return false;
                }
                backoffMs = Math.min(settings.maxBackoff().toMillis(), backoffMs * 2);
            }
        }
    }

    private static long jitter(long ms) {
        return ms - ThreadLocalRandom.current().nextLong(ms / 5 + 1);
    }

    /** Waits before the next attempt; false once closing and its deadline has passed. */
    private boolean pause(long ms) {
        try {
            if (!closing.await(ms, TimeUnit.MILLISECONDS)) return true;
            long left = closeDeadlineNanos - System.nanoTime();
            if (left <= 0) return false;
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(ms)));
            return closeDeadlineNanos - System.nanoTime() > 0;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Acknowledges every message of the batch at once. Deliveries of one channel come in order, so
     * acknowledging the last one with {@code multiple} covers the batch. After a reconnection the
     * client drops acknowledgements of the old channel's deliveries; the broker delivers those again
     * and writing them again is a no-op.
     */
    private void acknowledge(List<Delivery> batch) {
        Delivery last = batch.get(batch.size() - 1);
        settle(() -> channel.basicAck(last.tag, true));
        unacknowledged.addAndGet(-batch.size());
    }

    private void settle(Settlement settlement) {
        try {
            settlement.apply();
        } catch (IOException | ShutdownSignalException e) {
            log.debug("history writer: acknowledgement not sent, the messages will be delivered again: {}", e.getMessage());
        }
    }

    /**
     * Stops consuming, finishes the batch in flight (trying for at most {@code closeTimeout} if the
     * target is failing), acknowledges it, and closes the connection; messages delivered but not in
     * that batch go back to the queue.
     */
    @Override
    public void close() {
        try {
            if (channel.isOpen()) channel.basicCancel(consumerTag);
        } catch (IOException | RuntimeException e) {
            log.debug("history writer: cancel failed: {}", e.getMessage());
        }
        closeDeadlineNanos = System.nanoTime() + settings.closeTimeout().toNanos();
        closing.countDown();
        try {
            worker.join(settings.closeTimeout().toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) worker.interrupt();
        RabbitConnections.closeQuietly(connection, 5_000);
        log.info("history writer: closed");
    }

    /** What the writer is doing. */
    public record Status(boolean healthy, OptionalLong backlogMessages, long recordsWritten, String detail) {
    }

    /** A delivery, decoded on the consumer's thread so that decoding overlaps the writing of the batch before. */
    private record Delivery(long tag, int size, List<HistoryRecord> records, String problem) {
        static Delivery of(long tag, byte[] body) {
            try {
                return new Delivery(tag, body.length, HistoryJson.decode(body), null);
            } catch (CorruptStateException e) {
                return new Delivery(tag, body.length, null, e.getMessage());
            }
        }
    }

    @FunctionalInterface
    private interface Settlement {
        void apply() throws IOException;
    }

    private final class Inbox extends DefaultConsumer {
        Inbox(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            unacknowledged.incrementAndGet();
            cancelledByBroker = false;
            inbox.add(Delivery.of(envelope.getDeliveryTag(), body));
        }

        @Override
        public void handleCancel(String tag) {
            cancelledByBroker = true;
            log.warn("history writer: the broker cancelled the consumer of {}", queue.queue());
        }

        @Override
        public void handleRecoverOk(String tag) {
            cancelledByBroker = false;
        }
    }
}
