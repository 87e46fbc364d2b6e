package com.relaybox.presence.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Receives the run's broadcasts through a queue of its own bound to {@code ds.rooms.durable}, the
 * way a realtime instance does, and times each against its job's publish time on the same clock.
 */
final class BroadcastReceiver implements AutoCloseable {
    private final Channel channel;
    private final AtomicLongArray sentNanos;
    private final BitSet received = new BitSet();
    private final AtomicLong receivedCount = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong lastReceivedNanos = new AtomicLong();
    private volatile long measuredFrom = Long.MAX_VALUE;
    private volatile Histogram histogram = newHistogram();
    /** Latencies by the second of their arrival (System.nanoTime() / 1e9), for --timeline. */
    private final java.util.NavigableMap<Long, Histogram> bySecond = new java.util.TreeMap<>();
    private final Optional<Ghosts> ghosts;

    BroadcastReceiver(Connection connection, String app, int queueCount, AtomicLongArray sentNanos,
                      Optional<Ghosts> ghosts) throws IOException {
        this.sentNanos = sentNanos;
        this.ghosts = ghosts;
        this.channel = connection.createChannel();
        channel.exchangeDeclare("ds.rooms.durable", "topic", true);
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        // Routing keys hold no dots, so a topic wildcard cannot match them: bind each shard's key.
        for (int shard = 0; shard < queueCount; shard++)
            channel.queueBind(queue, "ds.rooms.durable", "$$:" + app + ":" + shard);
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                onBroadcast(body, System.nanoTime());
            }
        });
    }

    private void onBroadcast(byte[] body, long now) {
        long seq = JobBodies.seqOf(body);
        if (seq < 0) ghosts.ifPresent(g -> g.onBroadcastWithoutSeq(body, now));
        if (seq < 0 || seq >= sentNanos.length()) return;
        synchronized (this) {
            if (received.get((int) seq)) {
                duplicates.incrementAndGet();
                return;
            }
            received.set((int) seq);
            long latencyMicros = Math.max(0, (now - sentNanos.get((int) seq)) / 1_000);
            histogram.recordValue(Math.min(latencyMicros, histogram.getHighestTrackableValue()));
            bySecond.computeIfAbsent(now / 1_000_000_000L, second -> new Histogram(3_600_000_000L, 2))
                    .recordValue(Math.min(latencyMicros, histogram.getHighestTrackableValue()));
            ghosts.ifPresent(g -> g.onJobBroadcast(latencyMicros));
        }
        lastReceivedNanos.set(now);
        receivedCount.incrementAndGet();
    }

    /** Starts a new phase: what is received from now on goes into a fresh histogram. */
    synchronized Histogram startPhase() {
        Histogram previous = histogram;
        histogram = newHistogram();
        return previous;
    }

    /** One second of arrivals: how many first broadcasts, and their p99 and max latency. */
    record Second(long offset, long received, double p99Millis, double maxMillis) {
    }

    /** The seconds from {@code fromNanos} to {@code toNanos}, each one, empty ones too. */
    synchronized java.util.List<Second> timeline(long fromNanos, long toNanos) {
        java.util.List<Second> seconds = new java.util.ArrayList<>();
        long first = fromNanos / 1_000_000_000L;
        for (long second = first; second <= toNanos / 1_000_000_000L; second++) {
            Histogram h = bySecond.get(second);
            seconds.add(h == null ? new Second(second - first, 0, 0, 0)
                    : new Second(second - first, h.getTotalCount(), h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
        }
        return seconds;
    }

    synchronized boolean hasReceived(long seq) {
        return received.get((int) seq);
    }

    long receivedCount() {
        return receivedCount.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    long lastReceivedNanos() {
        return lastReceivedNanos.get();
    }

    private static Histogram newHistogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    @Override
    public void close() throws Exception {
        if (channel.isOpen()) channel.close();
    }
}
