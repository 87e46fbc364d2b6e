package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consumes one shard queue on a channel of its own and applies its jobs, in order, on one thread.
 *
 * <p>The broker's consumer thread only puts deliveries into a local buffer (at most
 * {@code prefetch} of them). The worker takes a batch (up to the batch size, or what arrived within
 * the batch wait), applies it with {@link ProcessJobs#applyBatch} and dead-letters the rejected
 * jobs. It does not wait for the batch's broadcasts and history to be confirmed: it goes on with
 * the next batch, and acknowledges batches in order, each with one
 * {@code basic.ack(lastTag, multiple)}, as their confirmations come. So a shard's throughput and
 * latency do not hinge on one confirm round trip (a quorum-queue commit, for history) per batch.
 * At most {@link #MAX_BATCHES_IN_FLIGHT} batches await confirmation; past that the worker waits
 * for the oldest, so under load the jobs arriving meanwhile make bigger batches.
 *
 * <p>A dependency failure of the store retries the same batch, as redeliveries, with a capped
 * doubling backoff. A failed confirmation retries that batch and every batch after it that is still
 * in flight, in order, as redeliveries, waiting for each confirmation, before the worker takes new
 * batches again: subscribers may see a run of events again, but never an older event last. Nothing
 * is acknowledged meanwhile, so nothing behind a failure overtakes it.
 *
 * <p>Every delivery carries the generation of the channel it came on; the generation moves on
 * whenever the channel shuts down (connection lost, broker restart). A batch of an older generation
 * is never acknowledged (its tags mean nothing on the recovered channel): the broker has put those
 * deliveries back and redelivers them, in order, to whichever consumer is active.
 */
final class ShardWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ShardWorker.class);
    private static final Delivery STOP = new Delivery(-1, -1, "", new AMQP.BasicProperties(), new byte[0], false);
    /** Put in the buffer when a batch in flight is confirmed (or failed), so the worker settles it. */
    private static final Delivery SETTLE = new Delivery(-1, -1, "", new AMQP.BasicProperties(), new byte[0], false);
    private static final String DELIVERY_COUNT_HEADER = "x-delivery-count";
    static final int MAX_BATCHES_IN_FLIGHT = 4;

    private final int shard;
    private final String queue;
    private final RabbitSettings settings;
    private final ProcessJobs jobs;
    private final ConfirmedPublisher deadLetters;
    private final JobConsumerObserver observer;
    private final CountDownLatch closing;
    private final LinkedBlockingDeque<Delivery> buffer = new LinkedBlockingDeque<>();
    private final AtomicLong generation = new AtomicLong();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();   // the worker thread's own
    private final Thread thread;

    private volatile Channel channel;
    private volatile boolean registered;
    private volatile boolean cancelledByBroker;

    ShardWorker(int shard, RabbitSettings settings, ProcessJobs jobs, ConfirmedPublisher deadLetters,
                JobConsumerObserver observer, CountDownLatch closing) {
        this.shard = shard;
        this.queue = Topology.shardQueue(shard);
        this.settings = settings;
        this.jobs = jobs;
        this.deadLetters = deadLetters;
        this.observer = observer;
        this.closing = closing;
        this.thread = new Thread(this::run, "presence-" + queue);
    }

    /** Opens the channel, subscribes (manual acknowledgement, prefetch) and starts the worker thread. */
    void start(Connection connection) throws IOException {
        Channel opened = connection.createChannel();
        if (opened == null) throw new IOException("no channel left on the connection");
        opened.basicQos(settings.prefetch());
        channel = opened;
        opened.basicConsume(queue, false, "presence-" + queue + "-" + Long.toHexString(System.nanoTime()),
                new BufferingConsumer(opened));
        thread.start();
    }

    /** Subscribed (active or, under single active consumer, standing by) on an open channel, worker alive. */
    boolean isRunning() {
        Channel current = channel;
        return current != null && current.isOpen() && registered && !cancelledByBroker && thread.isAlive();
    }

    /** Wakes the worker so that it sees the close; it finishes the batch in hand first. */
    void stop() {
        buffer.offerFirst(STOP);
    }

    boolean awaitStopped(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    /**
     * Closes the channel: the deliveries still buffered, never applied, go back to the queue, and
     * with them the queue passes to the next single active consumer (see RabbitJobConsumer#close).
     */
    void closeChannel() {
        RabbitConnections.closeQuietly(channel);
    }

    private final class BufferingConsumer extends DefaultConsumer {
        BufferingConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
            super.handleConsumeOk(consumerTag);
            registered = true;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            buffer.add(new Delivery(generation.get(), envelope.getDeliveryTag(), envelope.getRoutingKey(), properties, body,
                    envelope.isRedeliver()));
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            // Runs after every delivery of the dying channel was handed over: they are all stale now.
            generation.incrementAndGet();
            registered = false;
        }

        @Override
        public void handleCancel(String consumerTag) {
            registered = false;
            cancelledByBroker = true;
            LOG.error("{}: the broker cancelled this service's consumer (queue deleted?); this shard is not consumed"
                    + " until the service restarts", queue);
        }
    }

    private void run() {
        try {
            for (List<Delivery> batch; (batch = nextBatch()) != null; ) {
                if (!batch.isEmpty()) start(batch);
                settle();
                awaitRoomInFlight();
            }
            finishInFlight();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("{}: worker stopped by an unexpected error; this shard is not consumed until the service restarts",
                    queue, e);
        }
    }

    /** The next batch of the current generation; empty when batches in flight need settling; null when closing. */
    private List<Delivery> nextBatch() throws InterruptedException {
        Delivery first;
        do {
            if (isClosing()) return null;
            first = buffer.take();
            if (first == STOP || isClosing()) return null;
            if (first == SETTLE) return List.of();
        } while (first.generation() != generation.get());

        List<Delivery> batch = new ArrayList<>(Math.min(settings.batchSize(), 64));
        batch.add(first);
        long deadline = System.nanoTime() + settings.batchMaxWait().toNanos();
        while (batch.size() < settings.batchSize()) {
            Delivery next = buffer.poll();
            if (next == null) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) break;
                next = buffer.poll(remaining, TimeUnit.NANOSECONDS);
                if (next == null) break;
            }
            if (next == SETTLE) continue;                                  // settled right after this batch
            if (next == STOP) {
                buffer.offerFirst(next);
                break;
            }
            if (next.generation() < first.generation()) continue;          // stale: already put back by the broker
            if (next.generation() > first.generation()) {                  // this batch went stale meanwhile
                buffer.offerFirst(next);
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    /** Applies the batch and sends its broadcasts and history; {@link #settle} acknowledges it once they are confirmed. */
    private void start(List<Delivery> batch) {
        long started = System.nanoTime();
        long batchGeneration = batch.get(0).generation();
        List<RawJob> raws = raws(batch);
        ProcessJobs.AppliedBatch applied = apply(raws, batchGeneration);
        if (applied == null || !deadLetterRejected(batch, applied.outcomes(), batchGeneration)) {
            leftToTheBroker(batch.size());
            return;
        }
        inFlight.addLast(new InFlight(batch, raws, applied.outcomes(), applied.confirmed(), started));
        applied.confirmed().whenComplete((ok, failure) -> buffer.offerFirst(SETTLE));
    }

    /**
     * Acknowledges the confirmed batches at the head of those in flight, with one ack for all of
     * them. At a failed one, applies it and every batch after it again (see {@link #reapply}).
     */
    private void settle() {
        InFlight confirmed = null;
        List<InFlight> done = new ArrayList<>();
        while (!inFlight.isEmpty()) {
            InFlight head = inFlight.peekFirst();
            if (head.generation() != generation.get()) {   // its channel is gone: the broker redelivers it
                inFlight.pollFirst();
                continue;
            }
            if (!head.confirmed().isDone()) break;
            if (head.confirmed().isCompletedExceptionally()) {
                acknowledge(confirmed, done);
                reapplyInFlight(head);
                return;
            }
            confirmed = inFlight.pollFirst();
            done.add(confirmed);
        }
        acknowledge(confirmed, done);
    }

    /**
     * Once {@link #MAX_BATCHES_IN_FLIGHT} batches await their confirms, waits for the oldest. When
     * the broker confirms more slowly than jobs arrive, the jobs arriving meanwhile then make one
     * big batch (one round trip to Redis, one confirm) rather than many small ones.
     */
    private void awaitRoomInFlight() throws InterruptedException {
        while (inFlight.size() >= MAX_BATCHES_IN_FLIGHT && !isClosing()) {
            try {
                inFlight.peekFirst().confirmed().get(100, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // settle() retries a failed one; a slow one is waited for again, closing permitting
            }
            settle();
        }
    }

    /** Closing: waits (bounded) for the batches in flight, so the confirmed ones are acknowledged, not redelivered. */
    private void finishInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        while (!inFlight.isEmpty()) {
            InFlight head = inFlight.peekFirst();
            try {
                head.confirmed().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                break;
            }
            InFlight confirmed = inFlight.pollFirst();
            acknowledge(confirmed, List.of(confirmed));
        }
        if (!inFlight.isEmpty()) {
            int jobs = 0;
            for (InFlight batch : inFlight) jobs += batch.deliveries().size();
            inFlight.clear();
            leftToTheBroker(jobs);
        }
    }

    /** A confirmation failed: everything in flight from there on is applied again, in order, before anything new. */
    private void reapplyInFlight(InFlight failed) {
        RuntimeException cause = Confirmations.unwrap(failed.confirmed().handle((ok, failure) -> failure).join());
        List<Delivery> deliveries = new ArrayList<>();
        for (InFlight batch : inFlight) deliveries.addAll(batch.deliveries());
        inFlight.clear();
        if (isClosing()) {
            leftToTheBroker(deliveries.size());
            return;
        }
        if (!reapply(deliveries, cause)) leftToTheBroker(deliveries.size());
    }

    /**
     * Applies the deliveries again as redeliveries, in batches, each waiting for its confirmation
     * before the next, retrying with backoff until they go through. False when they are left to
     * the broker (channel gone, or closing).
     */
    private boolean reapply(List<Delivery> deliveries, RuntimeException cause) {
        Retry retry = new Retry();
        if (!retry.pause(cause, deliveries.size())) return false;
        for (int from = 0; from < deliveries.size(); from += settings.batchSize()) {
            long started = System.nanoTime();
            List<Delivery> batch = deliveries.subList(from, Math.min(deliveries.size(), from + settings.batchSize()));
            long batchGeneration = batch.get(0).generation();
            List<RawJob> raws = redeliveries(raws(batch));
            ProcessJobs.AppliedBatch applied;
            while (true) {
                applied = apply(raws, batchGeneration);
                if (applied == null) return false;
                try {
                    Confirmations.await(applied.confirmed());
                    break;
                } catch (RuntimeException e) {
                    if (!holds(batchGeneration) || !retry.pause(e, batch.size())) return false;
                }
            }
            retry.succeeded(batch.size());
            if (!deadLetterRejected(batch, applied.outcomes(), batchGeneration)) return false;
            InFlight confirmed = new InFlight(List.copyOf(batch), raws, applied.outcomes(), applied.confirmed(), started);
            acknowledge(confirmed, List.of(confirmed));
        }
        return true;
    }

    /** One {@code basic.ack(multiple)} up to the last job of {@code last}; then tells the observer about {@code done}. */
    private void acknowledge(InFlight last, List<InFlight> done) {
        if (last == null) return;
        if (!holds(last.generation())) return;     // the broker redelivers them
        try {
            channel.basicAck(last.lastTag(), true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: acknowledgement lost with the channel; the broker redelivers the batch", queue, e);
            return;
        }
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        try {
            for (InFlight batch : done) {
                observer.batchProcessed(shard, batch.raws(), batch.outcomes(), nanos - batch.started());
                for (Delivery delivery : batch.deliveries()) {
                    long publishedAt = delivery.publishedAtMillis();
                    if (publishedAt > 0) observer.jobLatency(shard, Math.max(0, now - publishedAt));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: observer failed", queue, e);
        }
    }

    /** This instance still consumes the queue on the channel the batch came on. */
    private boolean holds(long batchGeneration) {
        Channel current = channel;
        return batchGeneration == generation.get() && current != null && current.isOpen();
    }

    private void leftToTheBroker(int jobCount) {
        LOG.info("{}: batch of {} jobs left unacknowledged ({}); the broker redelivers it in order", queue, jobCount,
                isClosing() ? "closing" : "its channel is gone");
    }

    /**
     * Applies the batch, retrying a store failure as redeliveries with backoff; null when the
     * batch is to be left to the broker (channel gone, or closing).
     */
    private ProcessJobs.AppliedBatch apply(List<RawJob> raws, long batchGeneration) {
        Retry retry = new Retry();
        List<RawJob> attempt = raws;
        while (holds(batchGeneration)) {
            try {
                List<RawJob> jobsToApply = attempt;
                ProcessJobs.AppliedBatch applied = QueueOwnership.whileHeld(() -> holds(batchGeneration),
                        () -> jobs.applyBatch(jobsToApply));
                retry.succeeded(raws.size());
                return applied;
            } catch (CorruptStateException e) {
                retry.succeeded(raws.size());
                List<Outcome> outcomes = applyOneByOne(raws, batchGeneration);
                return outcomes == null ? null : new ProcessJobs.AppliedBatch(outcomes, CompletableFuture.completedFuture(null));
            } catch (RuntimeException e) {
                if (!holds(batchGeneration) || !retry.pause(e, raws.size())) return null;
            }
            attempt = redeliveries(raws);
        }
        return null;
    }

    /**
     * After a corrupt-state failure of a batch: apply its jobs one at a time, so only the job whose
     * room or connection holds what this service did not write is dead-lettered and the others go
     * through. Every job is a redelivery here: the store may have applied the ones before the
     * failure without their broadcasts having gone out.
     */
    private List<Outcome> applyOneByOne(List<RawJob> raws, long batchGeneration) {
        List<Outcome> outcomes = new ArrayList<>(raws.size());
        for (RawJob raw : raws) {
            RawJob job = raw.asRedelivery();
            Retry retry = new Retry();
            Outcome outcome = null;
            while (outcome == null) {
                if (!holds(batchGeneration)) return null;
                try {
                    outcome = QueueOwnership.whileHeld(() -> holds(batchGeneration),
                            () -> jobs.processBatch(List.of(job))).get(0);
                } catch (CorruptStateException e) {
                    outcome = new Outcome.Rejected(oneLine("corrupt state: " + e.getMessage()));
                    LOG.warn("{}: job {} dead-lettered: {}", queue, raw.id(), oneLine(e.getMessage()));
                } catch (RuntimeException e) {
                    if (!holds(batchGeneration) || !retry.pause(e, 1)) return null;
                }
            }
            retry.succeeded(1);
            outcomes.add(outcome);
        }
        return outcomes;
    }

    /** Dead-letters the batch's rejected jobs; false when they are left to the broker. */
    private boolean deadLetterRejected(List<Delivery> batch, List<Outcome> outcomes, long batchGeneration) {
        List<ConfirmedPublisher.Message> rejected = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++)
            if (outcomes.get(i) instanceof Outcome.Rejected rejection)
                rejected.add(deadLetter(batch.get(i), rejection.why()));
        return rejected.isEmpty() || publishDeadLetters(rejected, batchGeneration);
    }

    private boolean publishDeadLetters(List<ConfirmedPublisher.Message> messages, long batchGeneration) {
        Retry retry = new Retry();
        while (holds(batchGeneration)) {
            try {
                deadLetters.publish(messages);
                retry.succeeded(messages.size());
                return true;
            } catch (RuntimeException e) {
                if (!holds(batchGeneration) || !retry.pause(e, messages.size())) return false;
            }
        }
        return false;
    }

    /** The original message, unchanged but for the reason header, to {@code ds.presence.dlx} → {@code presence-dlq}. */
    private static ConfirmedPublisher.Message deadLetter(Delivery delivery, String reason) {
        AMQP.BasicProperties original = delivery.properties();
        Map<String, Object> headers = original.getHeaders() == null ? new HashMap<>() : new HashMap<>(original.getHeaders());
        headers.remove(DELIVERY_COUNT_HEADER);      // the broker's, not the producer's
        headers.put(Topology.ERROR_HEADER, reason);
        return new ConfirmedPublisher.Message(Topology.DEAD_LETTER_EXCHANGE, delivery.routingKey(), true,
                original.builder().headers(headers).build(), delivery.body());
    }

    private static List<RawJob> raws(List<Delivery> batch) {
        List<RawJob> raws = new ArrayList<>(batch.size());
        for (Delivery delivery : batch) raws.add(delivery.raw());
        return raws;
    }

    private static List<RawJob> redeliveries(List<RawJob> raws) {
        List<RawJob> again = new ArrayList<>(raws.size());
        for (RawJob raw : raws) again.add(raw.asRedelivery());
        return again;
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private static String oneLine(String text) {
        String flat = String.valueOf(text).replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }

    /** The backoff of one failing step: doubling from the minimum to the maximum; one log line per streak. */
    private final class Retry {
        private long backoff = settings.retryBackoffMin().toMillis();
        private int failures;

        /** Waits before the next attempt; false when closing (the batch is then left to the broker). */
        boolean pause(RuntimeException cause, int jobCount) {
            failures++;
            if (failures == 1) {
                if (cause instanceof DependencyUnavailableException)
                    LOG.warn("{}: batch of {} jobs failed, retrying with backoff until it applies: {}", queue, jobCount,
                            oneLine(cause.getMessage()));
                else
                    LOG.error("{}: batch of {} jobs failed unexpectedly, retrying with backoff", queue, jobCount, cause);
            }
            long wait = backoff;
            backoff = Math.min(backoff * 2, settings.retryBackoffMax().toMillis());
            try {
                observer.retrying(shard, cause, wait);
            } catch (RuntimeException e) {
                LOG.warn("{}: observer failed", queue, e);
            }
            try {
                return !closing.await(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void succeeded(int jobCount) {
            if (failures > 0) LOG.info("{}: batch of {} jobs went through after {} retries", queue, jobCount, failures);
            failures = 0;
            backoff = settings.retryBackoffMin().toMillis();
        }
    }

    /** A batch applied and sent, awaiting its confirmation; acknowledged up to its last delivery's tag. */
    private record InFlight(List<Delivery> deliveries, List<RawJob> raws, List<Outcome> outcomes,
                            CompletableFuture<Void> confirmed, long started) {
        long generation() {
            return deliveries.get(0).generation();
        }

        long lastTag() {
            return deliveries.get(deliveries.size() - 1).tag();
        }
    }
}
