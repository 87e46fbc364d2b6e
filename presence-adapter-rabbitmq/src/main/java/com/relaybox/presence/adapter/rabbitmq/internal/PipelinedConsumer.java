package com.relaybox.presence.adapter.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.pipeline.BatchPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The AMQP half of a {@link BatchPipeline}'s transport: one queue consumed on a channel of its own
 * with manual acknowledgement and a prefetch, each delivery decoded on the client's delivery thread
 * and handed to the pipeline with the epoch of the channel it came on.
 *
 * <p>The epoch moves on whenever the channel shuts down (connection lost, broker restart). Once it
 * has, the broker has put the old channel's unacknowledged deliveries back and gives them, in order,
 * to whichever consumer is active: they are not this instance's any more ({@link #holds} is false),
 * and their tags would mean nothing on the recovered channel.
 *
 * @param <T> a delivery as the pipeline takes it
 */
public final class PipelinedConsumer<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PipelinedConsumer.class);

    private final String queue;
    private final Decoder<T> decoder;
    private final BatchPipeline<T, ?> pipeline;
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong unacknowledged = new AtomicLong();
    /**
     * How many times the channel has shut down, counted on the connection's own thread the moment
     * it learns so. {@link #epoch} counts the same shutdowns, but later, on the delivery thread,
     * once the dead channel's deliveries are handed over (they must keep the old epoch); the epoch
     * holds only while both agree.
     */
    private final AtomicLong shutdowns = new AtomicLong();
    private volatile Channel channel;
    private volatile int prefetch;
    private volatile boolean registered;
    private volatile boolean cancelledByBroker;

    /** Turns one delivery into the pipeline's item; runs on the client's delivery thread. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(Envelope envelope, AMQP.BasicProperties properties, byte[] body);
    }

    public PipelinedConsumer(String queue, Decoder<T> decoder, BatchPipeline<T, ?> pipeline) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    /** Opens the channel and subscribes; deliveries wait in the pipeline until its thread starts. */
    public void start(Connection connection, int prefetch, String consumerTag) throws IOException {
        Channel opened = connection.createChannel();
        if (opened == null) throw new IOException("no channel left on the connection");
        opened.basicQos(prefetch);
        this.prefetch = prefetch;
        // Kept across recoveries by the recovering channel; runs before the connection recovers.
        opened.addShutdownListener(cause -> shutdowns.incrementAndGet());
        channel = opened;
        opened.basicConsume(queue, false, consumerTag, new Consumer(opened));
    }

    /** Deliveries of this epoch are still this instance's: they came on the channel that is open now. */
    public boolean holds(long epoch) {
        Channel current = channel;
        return epoch == shutdowns.get() && epoch == this.epoch.get() && current != null && current.isOpen();
    }

    /**
     * Whether this epoch holds at the broker, not only in this instance's eyes: one round trip on its
     * channel ({@code basic.qos}, with the prefetch it has), which the broker answers only while it
     * has the channel open. An epoch that has had deliveries is the queue's single active consumer
     * until its channel closes, so true means it still was when the broker answered. False when the
     * channel is gone, which a frozen or cut-off instance may learn only now.
     */
    public boolean confirmHolds(long epoch) {
        if (!holds(epoch)) return false;
        try {
            channel.basicQos(prefetch);
        } catch (IOException | ShutdownSignalException e) {
            return false;
        }
        return holds(epoch);
    }

    /** Subscribed (active or, under single active consumer, standing by) on an open channel. */
    public boolean isConsuming() {
        Channel current = channel;
        return current != null && current.isOpen() && registered && !cancelledByBroker;
    }

    public boolean cancelledByBroker() {
        return cancelledByBroker;
    }

    /** Deliveries handed to the pipeline and not yet settled, on the current channel. */
    public long unacknowledged() {
        return unacknowledged.get();
    }

    /**
     * Acknowledges every delivery up to {@code tag} with one {@code basic.ack(multiple)}; {@code count}
     * is how many that settles. True when the frame went out on the channel; the broker does not
     * confirm it, so a frame lost with its connection changes nothing: the broker gives those
     * deliveries again, redelivered, as soon as it sees the channel gone.
     */
    public boolean acknowledgeUpTo(long tag, int count) {
        return settle(() -> channel.basicAck(tag, true), count);
    }

    /** Rejects one delivery without requeueing it: the queue's dead-letter exchange takes it. */
    public void deadLetter(long tag) {
        settle(() -> channel.basicNack(tag, false, false), 1);
    }

    private boolean settle(Settlement settlement, int count) {
        try {
            settlement.apply();
            unacknowledged.updateAndGet(held -> Math.max(0, held - count));
            return true;
        } catch (IOException | ShutdownSignalException e) {
            LOG.debug("event=settlement_lost queue={} detail={}", queue, Logfmt.quote(String.valueOf(e.getMessage())));
            return false;
        }
    }

    /**
     * Closes the channel: what it was given and did not settle goes back to the queue, and with it
     * the queue passes to the next single active consumer.
     */
    public void close() {
        RabbitConnections.closeQuietly(channel);
    }

    @FunctionalInterface
    private interface Settlement {
        void apply() throws IOException;
    }

    private final class Consumer extends DefaultConsumer {
        Consumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
            super.handleConsumeOk(consumerTag);
            registered = true;
        }

        @Override
        public void handleRecoverOk(String consumerTag) {
            cancelledByBroker = false;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            unacknowledged.incrementAndGet();
            pipeline.offer(decoder.decode(envelope, properties, body), epoch.get());
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            // Runs after every delivery of the dying channel was handed over: they are all stale now.
            epoch.incrementAndGet();
            unacknowledged.set(0);
            registered = false;
        }

        @Override
        public void handleCancel(String consumerTag) {
            // No shutdown signal comes for a consumer the broker cancelled: its epoch ends here.
            epoch.incrementAndGet();
            registered = false;
            cancelledByBroker = true;
            LOG.error("event=consumer_cancelled queue={} detail=\"the broker cancelled this service's consumer (queue "
                    + "deleted?); not consumed until the connection recovers or the service restarts\"", queue);
        }
    }
}
