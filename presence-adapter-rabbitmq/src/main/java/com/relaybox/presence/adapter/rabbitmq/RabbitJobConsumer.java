package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * Consumes the presence jobs of CONTRACT §2: declares the topology, then consumes every shard queue
 * {@code presence-0 … presence-<N-1>} with manual acknowledgement, one worker thread per queue, and
 * applies the jobs in batches through {@link ProcessJobs#applyBatch}, keeping each queue's order.
 * A worker goes on with the next batch while earlier ones await their confirms; batches are
 * acknowledged in order (one multiple ack for those confirmed) only once applied: state changed,
 * broadcasts confirmed, history recorded.
 *
 * <ul>
 *   <li>A rejected job (CONTRACT §6) is published unchanged, with a header {@code x-presence-error}
 *       giving the reason, to {@code ds.presence.dlx} → {@code presence-dlq} (confirmed), then
 *       acknowledged with its batch.</li>
 *   <li>A dependency failure ({@code DependencyUnavailableException}) acknowledges and dead-letters
 *       nothing: the same batch is retried, as redeliveries, with a doubling backoff capped at
 *       {@code retryBackoffMax}, until it applies. A failed confirm retries that batch and every
 *       later one not yet acknowledged, in order. So is any unexpected exception: a job is never
 *       dropped for an error this service cannot tell apart from a transient one.</li>
 *   <li>A job whose room or connection holds what this service does not write there is rejected
 *       by core with reason {@code corrupt state: ...} and dead-lettered; the others of its batch
 *       are applied.</li>
 *   <li>The connection recovers by itself (broker restart, forced close); consumers are
 *       re-registered; deliveries of the dead channel are never acknowledged: the broker
 *       redelivers them, in order.</li>
 *   <li>Every shard queue has {@code x-single-active-consumer}: with several instances, each
 *       queue is consumed by one of them at a time, and another takes over when it goes.</li>
 * </ul>
 */
public final class RabbitJobConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitJobConsumer.class);

    private final RabbitSettings settings;
    private final Connection connection;
    private final ConfirmedPublisher deadLetters;
    private final ConfirmedPublisher broadcasts;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final List<ShardWorker> workers = new ArrayList<>();
    private final Object adminLock = new Object();
    private Channel adminChannel;
    private boolean closed;

    /** The messages ready in one queue, and its consumers (the active one and those standing by). */
    public record QueueDepth(String queue, long messages, int consumers) {
    }

    private RabbitJobConsumer(RabbitSettings settings, Connection connection, ProcessJobs jobs, JobConsumerObserver observer) {
        this.settings = settings;
        this.connection = connection;
        this.deadLetters = new ConfirmedPublisher(connection, settings.confirmTimeout(), "dead-letter");
        this.broadcasts = new ConfirmedPublisher(connection, settings.confirmTimeout(), "broadcast");
        for (int shard = 0; shard < settings.queueCount(); shard++)
            workers.add(new ShardWorker(shard, settings, jobs, deadLetters, broadcasts, observer));
    }

    public static RabbitJobConsumer consume(RabbitSettings settings, ProcessJobs jobs) {
        return consume(settings, jobs, JobConsumerObserver.NONE);
    }

    /**
     * Connects, declares the topology, and starts consuming every shard queue.
     *
     * @throws IllegalStateException when a queue or exchange exists with other arguments (nothing is consumed)
     * @throws DependencyUnavailableException when the broker cannot be reached
     */
    public static RabbitJobConsumer consume(RabbitSettings settings, ProcessJobs jobs, JobConsumerObserver observer) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(observer, "observer");
        Connection connection = RabbitConnections.open(settings, "consumer");
        RabbitJobConsumer consumer = null;
        try {
            Topology.declareAll(connection, settings);
            consumer = new RabbitJobConsumer(settings, connection, jobs, observer);
            for (ShardWorker worker : consumer.workers) worker.start(connection);
        } catch (IOException | RuntimeException e) {
            if (consumer != null) consumer.close();
            else RabbitConnections.closeQuietly(connection, 1_000);
            if (e instanceof RuntimeException runtime) throw runtime;
            throw new DependencyUnavailableException("cannot consume the presence queues on " + settings.endpoint() + ": "
                    + RabbitConnections.describe(e), e);
        }
        LOG.info("event=consuming queues=presence-0..presence-{} queue_type={} prefetch={} batch_size={} "
                        + "batch_max_wait_ms={} rabbitmq={}", settings.queueCount() - 1, settings.queueType().argument(),
                settings.prefetch(), settings.batchSize(), settings.batchMaxWait().toMillis(), settings.endpoint());
        return consumer;
    }

    /**
     * True when every shard queue has this service's consumer registered on an open channel (the
     * active one or, under single active consumer, one standing by) and every worker is alive:
     * false while the connection recovers, after the broker cancelled a consumer, and once closed.
     */
    public boolean isRunning() {
        if (closing.getCount() == 0) return false;
        for (ShardWorker worker : workers)
            if (!worker.isRunning()) return false;
        return true;
    }

    /**
     * Each shard queue's ready messages and consumers, by passive declaration, in shard order.
     *
     * @throws DependencyUnavailableException when the broker cannot tell
     */
    public List<QueueDepth> queueDepths() {
        List<String> queues = new ArrayList<>(settings.queueCount());
        for (int shard = 0; shard < settings.queueCount(); shard++) queues.add(Topology.shardQueue(shard));
        return depths(queues);
    }

    /** {@code presence-dlq}'s messages: jobs that were not applied and wait for an operator. */
    public QueueDepth deadLetterDepth() {
        return depths(List.of(Topology.DEAD_LETTER_QUEUE)).get(0);
    }

    private List<QueueDepth> depths(List<String> queues) {
        synchronized (adminLock) {
            try {
                if (adminChannel == null || !adminChannel.isOpen()) adminChannel = connection.createChannel();
                if (adminChannel == null) throw new IOException("no channel left on the connection");
                List<QueueDepth> depths = new ArrayList<>(queues.size());
                for (String queue : queues) {
                    AMQP.Queue.DeclareOk ok = adminChannel.queueDeclarePassive(queue);
                    depths.add(new QueueDepth(queue, ok.getMessageCount(), ok.getConsumerCount()));
                }
                return depths;
            } catch (IOException | ShutdownSignalException e) {
                throw new DependencyUnavailableException("cannot read the depth of the presence queues: "
                        + RabbitConnections.describe(e), e);
            }
        }
    }

    /**
     * Stops taking jobs, lets each worker finish (and acknowledge) the batch it is applying, then
     * closes the channels and the connection. Waits at most {@code shutdownTimeout} for the workers;
     * a batch still waiting out a dependency failure is abandoned, unacknowledged.
     *
     * <p>Why the channels are closed rather than the consumers cancelled first: a cancelled consumer
     * keeps the deliveries it was sent but has not acknowledged, while single active consumer
     * already hands the queue to the next consumer, which would apply later jobs before those come
     * back: a room's jobs would be reordered. Closing the channel gives every unacknowledged
     * delivery back and hands over the queue in one step: a quorum queue puts returned messages
     * ahead of the rest, in their order, and a classic queue back in their places, so the next
     * consumer starts with exactly the first job this one did not acknowledge.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        closing.countDown();
        for (ShardWorker worker : workers) worker.stop();
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        boolean finished = true;
        try {
            for (ShardWorker worker : workers)
                finished &= worker.awaitStopped((deadline - System.nanoTime()) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished)
            LOG.warn("event=batch_abandoned after_ms={} detail=\"still being applied; its jobs are not acknowledged "
                    + "and will be redelivered\"", settings.shutdownTimeout().toMillis());
        for (ShardWorker worker : workers) worker.closeChannel();
        deadLetters.close();
        broadcasts.close();
        synchronized (adminLock) {
            if (adminChannel != null && adminChannel.isOpen()) {
                try {
                    adminChannel.close();
                } catch (IOException | TimeoutException | RuntimeException ignored) {
                    // closing the connection below takes it with it
                }
            }
        }
        RabbitConnections.closeQuietly(connection, 5_000);
        LOG.info("event=consumer_closed");
    }
}
