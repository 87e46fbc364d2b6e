package com.relaybox.presence.adapter.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.recovery.AutorecoveringChannel;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.Fence;

import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Publishes lists of messages with publisher confirms, from many threads at once. Every list is
 * published without waiting and comes with a future that completes once the broker confirmed all
 * of it, or fails with {@link DependencyUnavailableException} when the broker nacks one, a
 * mandatory one is unroutable, the channel goes, or the confirms do not come within the timeout.
 *
 * <p>{@link #publishInOrder} publishes on a channel of the calling thread's own, so the lists one
 * thread publishes reach the broker in the order of the calls even while earlier ones await their
 * confirms (the shard workers rely on this). {@link #publish} borrows a channel from a pool and
 * waits, for callers on short-lived threads. A channel that failed in any way is closed and
 * forgotten; the next call opens a fresh one. A channel publishes only on the connection it was
 * opened on: once that connection is lost its channel fails, even after the connection recovers,
 * so nothing meant for a connection that is gone goes out on its successor.
 *
 * <p>Public only so that the other packages of this module can use it; not part of the adapter's API.
 */
public final class ConfirmedPublisher implements AutoCloseable {
    private final Connection connection;
    private final Duration confirmTimeout;
    private final String what;
    private final ConcurrentLinkedQueue<Lane> idle = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Lane> ownLane = new ThreadLocal<>();
    private final Set<Lane> ownLanes = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public ConfirmedPublisher(Connection connection, Duration confirmTimeout, String what) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.confirmTimeout = Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        this.what = Objects.requireNonNull(what, "what");
    }

    /** One message to publish. A {@code mandatory} message that no queue takes fails its whole list. */
    public record Message(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
                          byte[] body) {
    }

    /**
     * Publishes the messages in order and returns once the broker confirmed every one.
     *
     * @throws DependencyUnavailableException as the future of {@link #publishInOrder} fails; any of
     *                                        the messages may then have been published
     */
    public void publish(List<Message> messages) {
        if (messages.isEmpty()) return;
        Lane lane = borrow();
        try {
            Confirmations.await(lane.publish(messages));
        } finally {
            if (lane.isUsable() && !closed) idle.add(lane);
            else lane.close();
        }
    }

    /**
     * Publishes the messages on the calling thread's own channel and returns without waiting: the
     * future completes once the broker confirmed every one. What one thread publishes reaches the
     * broker in the order of its calls.
     */
    public CompletableFuture<Void> publishInOrder(List<Message> messages) {
        return publishInOrder(messages, () -> true);
    }

    /**
     * {@link #publishInOrder(List)}, if {@code holds} is still true once the channel is ready,
     * right before the first message goes out; otherwise nothing is sent and the future fails with
     * {@link Fence#lost()}. As the channel publishes only on the connection it was opened on, a
     * {@code holds} that turns false when that connection is lost makes an exact fence: what is
     * sent after it was asked goes out on that connection or fails.
     */
    public CompletableFuture<Void> publishInOrder(List<Message> messages, BooleanSupplier holds) {
        if (messages.isEmpty()) return CompletableFuture.completedFuture(null);
        try {
            Lane lane = ownLane.get();
            if (lane == null || !lane.isUsable()) {
                if (lane != null) {
                    ownLanes.remove(lane);
                    lane.close();
                }
                ownLanes.removeIf(Lane::closeIfOwnerGone);
                lane = open(Thread.currentThread());
                ownLane.set(lane);
                ownLanes.add(lane);
                if (closed) lane.close();   // close() may have run meanwhile
            }
            if (!holds.getAsBoolean()) return CompletableFuture.failedFuture(Fence.lost());
            return lane.publish(messages);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Lane borrow() {
        for (Lane lane; (lane = idle.poll()) != null; ) {
            if (lane.isUsable()) return lane;
            lane.close();
        }
        return open(null);
    }

    private Lane open(Thread owner) {
        if (closed) throw new DependencyUnavailableException(what + " publisher is closed");
        try {
            Channel channel = connection.createChannel();
            if (channel == null) throw new DependencyUnavailableException("no channel left on the connection for " + what);
            channel.confirmSelect();
            return new Lane(channel, owner);
        } catch (IOException | ShutdownSignalException e) {
            throw new DependencyUnavailableException("cannot open a channel for " + what + " messages: "
                    + RabbitConnections.describe(e), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Lane lane; (lane = idle.poll()) != null; ) lane.close();
        for (Lane lane : ownLanes) lane.close();
        ownLanes.clear();
    }

    /**
     * A confirm channel and the lists published on it that await their confirms, keyed by the
     * sequence number of each list's last message. Confirms, returns and the shutdown signal all
     * come on the connection's thread, one at a time.
     */
    private final class Lane implements ConfirmListener {
        private final Channel channel;
        /** What the messages go out on: the channel of the connection it was opened on, never a recovered one. */
        private final Channel ownConnectionsChannel;
        private final Thread owner;
        private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
        private int returnedSinceLastConfirm;
        private volatile boolean broken;

        Lane(Channel channel, Thread owner) {
            this.channel = channel;
            this.ownConnectionsChannel = channel instanceof AutorecoveringChannel recovering ? recovering.getDelegate() : channel;
            this.owner = owner;
            // basic.return comes before the basic.ack of the same message, on the same thread.
            channel.addReturnListener(message -> returnedSinceLastConfirm++);
            channel.addConfirmListener(this);
            channel.addShutdownListener(cause -> {
                broken = true;
                failAll(new DependencyUnavailableException("the channel of " + what + " messages closed before their "
                        + "confirms came: " + RabbitConnections.describe(cause), cause));
            });
        }

        boolean isUsable() {
            return !broken && ownConnectionsChannel.isOpen();
        }

        CompletableFuture<Void> publish(List<Message> messages) {
            long first = ownConnectionsChannel.getNextPublishSeqNo();
            Pending listed = new Pending(first, messages.size());
            // Registered before publishing: the confirm can come before basicPublish returns.
            pending.put(first + messages.size() - 1, listed);
            try {
                for (Message message : messages)
                    ownConnectionsChannel.basicPublish(message.exchange(), message.routingKey(), message.mandatory(),
                            message.properties(), message.body());
            } catch (IOException | RuntimeException e) {
                broken = true;
                close();
                failAll(new DependencyUnavailableException("cannot publish " + what + " messages: "
                        + RabbitConnections.describe(e), e));
            }
            listed.confirmed.orTimeout(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return listed.confirmed.handle((ok, failure) -> {
                if (failure == null) return null;
                if (failure instanceof TimeoutException) {
                    // Whatever the channel still owes is in doubt: the next call closes it and
                    // starts afresh (not here: this is the JVM's shared timer thread).
                    broken = true;
                    throw new DependencyUnavailableException("RabbitMQ did not confirm " + messages.size() + " " + what
                            + " messages within " + confirmTimeout.toMillis() + " ms", failure);
                }
                throw Confirmations.unwrap(failure);
            });
        }

        @Override
        public void handleAck(long tag, boolean multiple) {
            boolean returned = returnedSinceLastConfirm > 0;
            returnedSinceLastConfirm = 0;
            settle(tag, multiple, returned ? new DependencyUnavailableException("RabbitMQ could not route " + what
                    + " messages: no queue is bound for them") : null);
        }

        @Override
        public void handleNack(long tag, boolean multiple) {
            returnedSinceLastConfirm = 0;
            settle(tag, multiple, new DependencyUnavailableException("RabbitMQ refused (nacked) " + what + " messages"));
        }

        /**
         * Marks the messages up to {@code tag} (or just {@code tag}) confirmed. A failure fails every
         * list it touches: a return does not say which message it was, only that it came before this
         * confirm.
         */
        private void settle(long tag, boolean multiple, DependencyUnavailableException failure) {
            if (multiple) {
                Map<Long, Pending> whole = pending.headMap(tag, true);
                for (Pending listed : whole.values()) listed.finish(failure);
                whole.clear();
            }
            Map.Entry<Long, Pending> containing = pending.ceilingEntry(tag);
            if (containing == null || containing.getValue().first > tag) return;
            Pending listed = containing.getValue();
            if (failure != null || listed.confirm(multiple ? listed.first : tag, tag)) {
                listed.finish(failure);
                pending.remove(containing.getKey());
            }
        }

        private void failAll(DependencyUnavailableException failure) {
            for (Pending listed : pending.values()) listed.finish(failure);
            pending.clear();
        }

        boolean closeIfOwnerGone() {
            if (owner == null || owner.isAlive()) return false;
            close();
            return true;
        }

        void close() {
            RabbitConnections.closeQuietly(channel);
        }
    }

    /** One list of messages: sequence numbers {@code first} to {@code first + count - 1}. */
    private static final class Pending {
        final long first;
        final int count;
        final BitSet confirmedSeqs;
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();

        Pending(long first, int count) {
            this.first = first;
            this.count = count;
            this.confirmedSeqs = new BitSet(count);
        }

        /** Marks {@code from..to} confirmed; true once every message of the list is. */
        boolean confirm(long from, long to) {
            confirmedSeqs.set((int) (Math.max(from, first) - first), (int) (to - first) + 1);
            return confirmedSeqs.cardinality() == count;
        }

        void finish(DependencyUnavailableException failure) {
            if (failure == null) confirmed.complete(null);
            else confirmed.completeExceptionally(failure);
        }
    }
}
