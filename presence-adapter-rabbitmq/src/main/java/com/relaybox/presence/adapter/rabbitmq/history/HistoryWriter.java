package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.internal.PipelineLog;
import com.relaybox.presence.adapter.rabbitmq.internal.PipelinedConsumer;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.pipeline.BatchPipeline;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves history from the durable queue to its store: consumes the messages of
 * {@link RabbitHistoryOutbox} through a {@link BatchPipeline}, merges several into one batch (up to a
 * number of records or a short wait), hands the batch to the target recorder, and acknowledges the
 * messages only once the target has confirmed, that is, committed.
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
public final class HistoryWriter implements BatchPipeline.Transport<HistoryWriter.HistoryMessage, Integer>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HistoryWriter.class);
    /** Instances whose database went away together come back to it at different moments. */
    private static final double BACKOFF_JITTER = 0.2;

    private final HistoryQueueSettings queue;
    private final HistoryWriterSettings settings;
    private final HistoryRecorder target;
    private final Connection connection;
    private final BatchPipeline<HistoryMessage, Integer> pipeline;
    private final PipelinedConsumer<HistoryMessage> consumer;
    private final AtomicLong recordsWritten = new AtomicLong();
    private final Object adminLock = new Object();
    private Channel admin;
    private volatile String problem;

    public HistoryWriter(HistoryQueueSettings queue, HistoryWriterSettings settings, HistoryRecorder target) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.target = Objects.requireNonNull(target, "target");
        BatchPipeline.Settings batches = new BatchPipeline.Settings(settings.batchRecords(), settings.maxWait(), 1, 1,
                settings.minBackoff(), settings.maxBackoff(), BACKOFF_JITTER, settings.closeTimeout());
        this.pipeline = new BatchPipeline<>("history-writer", batches, this, new Health(),
                message -> Math.max(1, message.records().size()));
        this.consumer = new PipelinedConsumer<>(queue.queue(),
                (envelope, properties, body) -> HistoryMessage.decode(envelope.getDeliveryTag(), body), pipeline);
        this.connection = RabbitConnections.open(queue.rabbit(), "history-writer");
        try {
            declare();
            consumer.start(connection, settings.prefetch(), "presence-history-writer");
            pipeline.start();
        } catch (IOException | RuntimeException e) {
            RabbitConnections.closeQuietly(connection, 2_000);
            throw new DependencyUnavailableException("cannot consume the history queue " + queue.queue() + ": " + e.getMessage(), e);
        }
        log.info("event=history_writer_consuming queue={} batch_records={} batch_max_wait_ms={}", queue.queue(),
                settings.batchRecords(), settings.maxWait().toMillis());
    }

    private void declare() throws IOException {
        Channel channel = connection.createChannel();
        if (channel == null) throw new IOException("no channel left on the connection");
        try {
            HistoryTopology.declare(channel, queue);
        } finally {
            RabbitConnections.closeQuietly(channel);
        }
    }

    /** Whether history is being written, how much waits, and what is wrong if anything. */
    public Status status() {
        String why = problem;
        if (why == null && consumer.cancelledByBroker()) why = "the broker cancelled the writer's consumer (queue deleted?)";
        if (why == null && !consumer.isConsuming()) why = "RabbitMQ connection lost, reconnecting";
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
                return OptionalLong.of(admin.queueDeclarePassive(queue.queue()).getMessageCount() + consumer.unacknowledged());
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }
    }

    @Override
    public boolean holds(long epoch) {
        return consumer.holds(epoch);
    }

    /** Writes the batch's records; the future is the target's confirmation. Answers how many records that is. */
    @Override
    public BatchPipeline.Started<Integer> start(BatchPipeline.Batch<HistoryMessage> batch) {
        List<HistoryRecord> records = new ArrayList<>();
        for (HistoryMessage message : batch.items()) records.addAll(message.records());
        CompletableFuture<Void> written = records.isEmpty() ? CompletableFuture.completedFuture(null) : target.record(records);
        return new BatchPipeline.Started<>(records.size(), written);
    }

    /**
     * Dead-letters the messages that are not history, then acknowledges the rest with one
     * {@code basic.ack(multiple)} up to the last of them (which covers none of the dead-lettered:
     * those are settled already).
     */
    @Override
    public void acknowledge(List<BatchPipeline.Done<HistoryMessage, Integer>> done) {
        long lastHistory = -1;
        int count = 0;
        for (BatchPipeline.Done<HistoryMessage, Integer> batch : done) {
            recordsWritten.addAndGet(batch.result());
            for (HistoryMessage message : batch.batch().items()) {
                if (message.problem() == null) {
                    lastHistory = message.tag();
                    count++;
                    continue;
                }
                log.warn("event=history_dead_lettered bytes={} queue={} reason={}", message.size(),
                        queue.deadLetterQueue(), Logfmt.quote(message.problem()));
                consumer.deadLetter(message.tag());
            }
        }
        if (lastHistory >= 0) consumer.acknowledgeUpTo(lastHistory, count);
    }

    /**
     * Stops consuming, lets the batch in hand finish and waits at most {@code closeTimeout} for it to
     * be written and acknowledged, then closes the connection: messages delivered but not written go
     * back to the queue.
     */
    @Override
    public void close() {
        pipeline.stop();
        try {
            if (!pipeline.awaitStopped(settings.closeTimeout().plusSeconds(1)))
                log.warn("event=history_batch_unwritten detail=\"closing; the batch stays in the queue\"");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        RabbitConnections.closeQuietly(connection, 5_000);
        log.info("event=history_writer_closed records_written={}", recordsWritten.get());
    }

    /** What the writer is doing. */
    public record Status(boolean healthy, OptionalLong backlogMessages, long recordsWritten, String detail) {
    }

    /**
     * A delivery, decoded on the consumer's thread so that decoding overlaps the writing of the batch
     * before; {@code problem} says why a message that is not history could not be decoded.
     */
    record HistoryMessage(long tag, int size, List<HistoryRecord> records, String problem) {
        static HistoryMessage decode(long tag, byte[] body) {
            try {
                return new HistoryMessage(tag, body.length, HistoryJson.decode(body), null);
            } catch (CorruptStateException e) {
                return new HistoryMessage(tag, body.length, List.of(), e.getMessage());
            }
        }
    }

    /** The pipeline's events as log lines and as the writer's health. */
    private final class Health extends PipelineLog {
        Health() {
            super(log, "history writer");
        }

        @Override
        public void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
            super.retrying(cause, attempt, items, backoff);
            problem = "history store unavailable: " + cause.getMessage();
        }

        @Override
        public void recovered(int failures, Duration failingFor) {
            super.recovered(failures, failingFor);
            problem = null;
        }

        @Override
        public void crashed(Throwable error) {
            super.crashed(error);
            problem = "the history writer stopped on an unexpected error: " + error;
        }
    }
}
