package com.relaybox.presence.core.pipeline;

import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;

/**
 * Ordered, pipelined, bounded batches over any transport that hands over items in order and takes
 * acknowledgements in order (a queue consumer, a list taken from Redis). One thread per pipeline:
 *
 * <ol>
 *   <li>take what has arrived (up to {@link Settings#maxBatchWeight}, waiting at most
 *       {@link Settings#maxWait} for more), all of one epoch;</li>
 *   <li>start it ({@link Transport#start}: apply and send, without waiting for confirmation);</li>
 *   <li>go on with the next batch while at most {@link Settings#maxSending} are still sending
 *       (their {@link Started#sent} effects, the ones someone waits for, unconfirmed) and at most
 *       {@link Settings#maxUnacknowledged} await their full confirmation; past either, wait for the
 *       oldest, so that under load what arrives meanwhile makes bigger batches rather than more of
 *       them. A slow confirmation that nobody waits for (history) delays acknowledgements, never the
 *       next batch's broadcasts;</li>
 *   <li>acknowledge batches in order as their confirmations come, several at once
 *       ({@link Transport#acknowledge});</li>
 *   <li>when starting a batch throws, start the same batch again as a retry after a doubling
 *       backoff; when a confirmation fails, start that batch and every later one still
 *       in flight again, in order, each waiting for its confirmation, before anything new: a
 *       subscriber may see a run of events twice, never an older event last.</li>
 * </ol>
 *
 * <p>An epoch is the transport's word for "the same hold on the source": a channel's lifetime, a
 * lease. Items and batches of an epoch the transport no longer {@link Transport#holds holds} are
 * dropped unacknowledged, since the source gives them to whoever holds it now; each batch carries a
 * {@link Fence} on its epoch for whatever sends its effects out.
 *
 * <p>A transport whose source can be taken over by another instance while this one has not noticed
 * yet (a frozen process) fences the store writes too: the first batch of each epoch takes a
 * {@linkplain Transport#takeFencingToken fencing token}, and every batch of the epoch carries it in
 * its fence. When the store refuses it, the token is taken again, which confirms at the source
 * whether this epoch still holds: if it does not, the epoch is over here, and its batches are left
 * to the source unapplied; if it does, the store had lost the token, and the batch goes on with the
 * new one.
 *
 * <p>Closing stops taking items and retrying, lets the batch in hand finish, waits (bounded) for the
 * confirmations in flight so the confirmed are acknowledged, and leaves the rest to the source.
 *
 * @param <T> an item as the transport delivers it
 * @param <R> what starting a batch found out, handed back with the batch when it is acknowledged
 */
public final class BatchPipeline<T, R> {
    private static final long SETTLE_POLL_MS = 100;
    private static final long NO_EPOCH = Long.MIN_VALUE;

    private final Settings settings;
    private final Transport<T, R> transport;
    private final Listener listener;
    private final ToIntFunction<T> weight;
    private final LinkedBlockingDeque<Event<T>> events = new LinkedBlockingDeque<>();
    private final ArrayDeque<InFlight<T, R>> inFlight = new ArrayDeque<>();   // the pipeline thread's own
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread thread;
    /** The epoch of {@link #token}; the pipeline thread's own, as the token is. */
    private long tokenEpoch = NO_EPOCH;
    private Optional<FencingToken> token = Optional.empty();
    /** An epoch whose token the store refused and the source did not confirm: over, whatever the transport believes. */
    private volatile long fencedOutEpoch = NO_EPOCH;

    /**
     * @param name   names the thread, e.g. after the queue consumed
     * @param weight how much of {@link Settings#maxBatchWeight} an item takes (1 for a job, its
     *               record count for a message of many records)
     */
    public BatchPipeline(String name, Settings settings, Transport<T, R> transport, Listener listener,
                         ToIntFunction<T> weight) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.weight = Objects.requireNonNull(weight, "weight");
        this.thread = new Thread(this::run, "presence-" + Objects.requireNonNull(name, "name"));
    }

    /**
     * How batches are made, bounded and retried.
     *
     * @param backoffJitter the fraction of each backoff taken off at random (0 for exact doubling), so
     *                      that instances failing together do not all retry at the same moment
     */
    public record Settings(int maxBatchWeight, Duration maxWait, int maxSending, int maxUnacknowledged,
                           Duration backoffMin, Duration backoffMax, double backoffJitter, Duration closeTimeout) {
        public Settings {
            Objects.requireNonNull(maxWait, "maxWait");
            Objects.requireNonNull(backoffMin, "backoffMin");
            Objects.requireNonNull(backoffMax, "backoffMax");
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (maxBatchWeight < 1) throw new IllegalArgumentException("maxBatchWeight must be >= 1, got " + maxBatchWeight);
            if (maxSending < 1) throw new IllegalArgumentException("maxSending must be >= 1, got " + maxSending);
            if (maxUnacknowledged < maxSending)
                throw new IllegalArgumentException("maxUnacknowledged must be >= maxSending (" + maxSending + "), got "
                        + maxUnacknowledged);
            if (maxWait.isNegative() || closeTimeout.isNegative())
                throw new IllegalArgumentException("maxWait and closeTimeout must not be negative");
            if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0)
                throw new IllegalArgumentException("backoff must satisfy 0 < min <= max, got " + backoffMin + ".." + backoffMax);
            if (!(backoffJitter >= 0 && backoffJitter < 1))
                throw new IllegalArgumentException("backoffJitter must be in [0, 1), got " + backoffJitter);
        }
    }

    /** The transport's side. Every method is called on the pipeline's thread, in batch order. */
    public interface Transport<T, R> {

        /** Whether items of this epoch are still this instance's to apply and acknowledge. */
        boolean holds(long epoch);

        /**
         * Applies the batch and sends its effects without waiting for them to be confirmed. A throw
         * starts the same batch again, as a retry, after a backoff.
         */
        Started<R> start(Batch<T> batch);

        /** These batches, oldest first, are confirmed: acknowledge them to the source. */
        void acknowledge(List<Done<T, R>> done);

        /**
         * A new fencing token for the source ({@link com.relaybox.presence.core.port.in.ProcessJobs#takeFencingToken}),
         * for the store writes of this epoch's batches; taken before the epoch's first batch starts,
         * and again whenever the store refuses it. Confirm that the epoch still holds at the source
         * itself (a round trip to it, when {@link #holds} is only this instance's belief) after taking
         * the token: a new holder takes its token only once it holds the source, so later than this
         * one, and this one's writes are refused from then on. Confirm before taking it too, so that
         * an instance that lost the source unnoticed does not refuse the holder's next batch for
         * nothing. Throws {@link FencedOutException} when the epoch does not hold.
         *
         * @return empty (the default) when the source's batches need no fencing token
         */
        default Optional<FencingToken> takeFencingToken(long epoch) {
            return Optional.empty();
        }
    }

    /**
     * What the pipeline tells about its work, for logs, health and metrics (core logs nothing
     * itself). Called on the pipeline's thread: keep it quick; what it throws is not caught.
     */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /**
         * A batch of {@code items} failed ({@code attempt} times in a row, from 1) and is tried again
         * after {@code backoff}. A {@link DependencyUnavailableException} is an expected outage;
         * anything else is unexpected, and is retried all the same.
         */
        default void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
        }

        /** A batch went through after {@code failures} failed attempts that began {@code failingFor} ago. */
        default void recovered(int failures, Duration failingFor) {
        }

        /** {@code items} were left unacknowledged: the source gives them again, in order, to whoever holds it. */
        default void leftToTheSource(int items, boolean closing) {
        }

        /**
         * The store refused this epoch's fencing token, and the epoch does not hold (the source did
         * not confirm it, or it has ended meanwhile): another instance holds the source; this
         * epoch's batches, {@code items} of them now, are left to it unapplied. At most once per epoch.
         */
        default void fencedOut(RuntimeException cause, int items) {
        }

        /** The store refused this epoch's fencing token, but the source confirmed the epoch: a new token was taken. */
        default void fencingTokenTakenAgain(FencedOutException refusal) {
        }

        /** The pipeline's thread stopped on an error it cannot handle: nothing more is taken until a restart. */
        default void crashed(Throwable error) {
        }
    }

    /**
     * Items of one epoch, in the source's order. {@code retry} is true when an earlier attempt at
     * this very batch may have applied it without its effects having gone out.
     */
    public record Batch<T>(List<T> items, long epoch, boolean retry, Fence fence, long takenNanos) {
        public Batch {
            items = List.copyOf(items);
            if (items.isEmpty()) throw new IllegalArgumentException("a batch has at least one item");
        }

        Batch<T> asRetry() {
            return retry ? this : new Batch<>(items, epoch, true, fence, takenNanos);
        }

        Batch<T> withFence(Fence other) {
            return new Batch<>(items, epoch, retry, other, takenNanos);
        }

        public T last() {
            return items.get(items.size() - 1);
        }
    }

    /**
     * A started batch: what the transport found out; {@code sent}, the confirmation of the effects
     * someone is waiting for (broadcasts), which bounds how many batches are sending at once; and
     * {@code confirmed}, the confirmation of all its effects (broadcasts, history, dead letters), which
     * gates its acknowledgement. A batch is confirmed only once it is sent as well, and fails as soon
     * as sending it fails.
     */
    public record Started<R>(R result, CompletableFuture<Void> sent, CompletableFuture<Void> confirmed) {
        public Started {
            Objects.requireNonNull(sent, "sent");
            Objects.requireNonNull(confirmed, "confirmed");
            // a failure to send fails the batch at once, without waiting for the rest to be confirmed
            if (confirmed != sent) confirmed = afterSent(sent, confirmed);
        }

        private static CompletableFuture<Void> afterSent(CompletableFuture<Void> sent, CompletableFuture<Void> rest) {
            return sent.thenCompose(ignored -> rest);
        }

        /** A batch whose effects are all waited for alike: sent once confirmed. */
        public Started(R result, CompletableFuture<Void> confirmed) {
            this(result, confirmed, confirmed);
        }
    }

    /** A confirmed batch and what starting it found out. */
    public record Done<T, R>(Batch<T> batch, R result) {
    }

    /** What wakes the pipeline's thread. */
    private sealed interface Event<T> {
    }

    private record Arrived<T>(T item, long epoch) implements Event<T> {
    }

    /** A batch in flight was confirmed, or failed: settle the head of those in flight. */
    private record ConfirmationCame<T>() implements Event<T> {
    }

    private record Stop<T>() implements Event<T> {
    }

    private record InFlight<T, R>(Batch<T> batch, Started<R> started) {
    }

    public void start() {
        thread.start();
    }

    /** Hands over an item; called by the transport's delivery thread, in the source's order. */
    public void offer(T item, long epoch) {
        events.add(new Arrived<>(item, epoch));
    }

    /** The pipeline thread is alive (it stops only when closed, or on an error it cannot handle). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops taking items and retrying; the batch in hand finishes. See {@link #awaitStopped}. */
    public void stop() {
        closing.countDown();
        events.offerFirst(new Stop<>());
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private void run() {
        try {
            for (Batch<T> batch; (batch = nextBatch()) != null; ) {
                awaitRoom();            // again: a batch may have failed to send while this one was taken
                startAndTrack(batch);
                settle();
                awaitRoom();
            }
            finishInFlight();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            listener.crashed(e);
        }
    }

    /** The next batch; settles confirmations as they come meanwhile; null when closing. */
    private Batch<T> nextBatch() throws InterruptedException {
        Arrived<T> first = null;
        while (first == null) {
            if (isClosing()) return null;
            Event<T> event = events.take();
            if (event instanceof Stop) return null;
            if (event instanceof ConfirmationCame) {
                settle();
                continue;
            }
            Arrived<T> arrived = (Arrived<T>) event;
            if (holds(arrived.epoch())) first = arrived;
        }
        List<T> items = new ArrayList<>();
        items.add(first.item());
        int batchWeight = weight.applyAsInt(first.item());
        long deadline = System.nanoTime() + settings.maxWait().toNanos();
        while (batchWeight < settings.maxBatchWeight()) {
            Event<T> next = events.poll();
            if (next == null) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) break;
                next = events.poll(remaining, TimeUnit.NANOSECONDS);
                if (next == null) break;
            }
            if (next instanceof ConfirmationCame) continue;                 // settled right after this batch
            if (next instanceof Stop) {
                events.offerFirst(next);
                break;
            }
            Arrived<T> arrived = (Arrived<T>) next;
            if (arrived.epoch() < first.epoch()) continue;                  // stale: the source has it back
            if (arrived.epoch() > first.epoch()) {                          // this batch's epoch ended meanwhile
                events.offerFirst(next);
                break;
            }
            items.add(arrived.item());
            batchWeight += weight.applyAsInt(arrived.item());
        }
        long epoch = first.epoch();
        return new Batch<>(items, epoch, false, () -> holds(epoch), System.nanoTime());
    }

    private boolean holds(long epoch) {
        return epoch != fencedOutEpoch && transport.holds(epoch);
    }

    private void startAndTrack(Batch<T> batch) {
        Started<R> started = startRetrying(batch, new Retry());
        if (started == null) {
            leftToTheSource(batch.items().size());
            return;
        }
        inFlight.addLast(new InFlight<>(batch, started));
        started.confirmed().whenComplete((ok, failure) -> events.offerFirst(new ConfirmationCame<>()));
    }

    /**
     * Starts the batch, starting it again as a retry after a backoff while it throws; null when it
     * is left to the source (its epoch ended, or closing). A refused fencing token is taken again at
     * once, the first time; a token refused right after it was taken and confirmed is a failure like
     * any other, retried after a backoff.
     */
    private Started<R> startRetrying(Batch<T> batch, Retry retry) {
        Batch<T> attempt = batch;
        FencedOutException refused = null;
        boolean refusedBefore = false;
        while (holds(attempt.epoch())) {
            try {
                Batch<T> fenced = withToken(attempt);
                if (refused != null) listener.fencingTokenTakenAgain(refused);
                refused = null;
                Started<R> started = transport.start(fenced);
                retry.succeeded();
                return started;
            } catch (FencedOutException e) {
                boolean byTheStore = tokenEpoch == attempt.epoch();      // else by the take: the source did not confirm
                tokenEpoch = NO_EPOCH;                                   // the next attempt takes another
                if (!byTheStore || !holds(attempt.epoch())) {
                    fencedOutEpoch = attempt.epoch();
                    listener.fencedOut(refused == null ? e : refused, attempt.items().size());
                    return null;
                }
                refused = e;
                if (refusedBefore && !retry.pause(e, attempt.items().size())) return null;
                refusedBefore = true;
            } catch (RuntimeException e) {
                if (!holds(attempt.epoch()) || !retry.pause(e, attempt.items().size())) return null;
            }
            attempt = attempt.asRetry();
        }
        return null;
    }

    /** The batch, its fence carrying the epoch's fencing token, taken first when the epoch has none. */
    private Batch<T> withToken(Batch<T> batch) {
        if (tokenEpoch != batch.epoch()) {
            token = transport.takeFencingToken(batch.epoch());
            tokenEpoch = batch.epoch();
        }
        return token.map(taken -> batch.withFence(batch.fence().withToken(taken))).orElse(batch);
    }

    /**
     * Acknowledges the confirmed batches at the head of those in flight, at once. At a failed one,
     * starts it and every batch after it again (see {@link #restartInFlight}).
     */
    private void settle() {
        List<Done<T, R>> done = new ArrayList<>();
        while (!inFlight.isEmpty()) {
            InFlight<T, R> head = inFlight.peekFirst();
            if (!holds(head.batch().epoch())) {   // the source gives it to whoever holds it now
                inFlight.pollFirst();
                continue;
            }
            CompletableFuture<Void> confirmed = head.started().confirmed();
            if (!confirmed.isDone()) break;
            if (confirmed.isCompletedExceptionally()) {
                acknowledge(done);
                restartInFlight();
                return;
            }
            inFlight.pollFirst();
            done.add(new Done<>(head.batch(), head.started().result()));
        }
        acknowledge(done);
    }

    private void acknowledge(List<Done<T, R>> done) {
        if (!done.isEmpty()) transport.acknowledge(List.copyOf(done));
    }

    /** Waits until another batch may start (see {@link #awaitedForRoom}), settling what comes meanwhile. */
    private void awaitRoom() throws InterruptedException {
        for (CompletableFuture<Void> awaited; !isClosing() && (awaited = awaitedForRoom()) != null; ) {
            try {
                awaited.get(SETTLE_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // settle() restarts a failed one; a slow one is waited for again, closing permitting
            }
            settle();
        }
    }

    /**
     * What must complete before another batch starts, or null when one may: the oldest batch still
     * sending when {@link Settings#maxSending} are; the oldest unacknowledged when
     * {@link Settings#maxUnacknowledged} are, or when a batch failed to send (it is started again,
     * with every later one, once it is the oldest: starting more meanwhile would only repeat them).
     */
    private CompletableFuture<Void> awaitedForRoom() {
        if (inFlight.isEmpty()) return null;
        CompletableFuture<Void> oldestUnacknowledged = inFlight.peekFirst().started().confirmed();
        if (inFlight.size() >= settings.maxUnacknowledged()) return oldestUnacknowledged;
        int sending = 0;
        CompletableFuture<Void> oldestSending = null;
        for (InFlight<T, R> batch : inFlight) {
            CompletableFuture<Void> sent = batch.started().sent();
            if (sent.isCompletedExceptionally()) return oldestUnacknowledged;
            if (sent.isDone()) continue;
            if (sending++ == 0) oldestSending = sent;
        }
        return sending >= settings.maxSending() ? oldestSending : null;
    }

    /** A confirmation failed: every batch in flight from there on starts again, in order, before anything new. */
    private void restartInFlight() {
        InFlight<T, R> failed = inFlight.peekFirst();
        RuntimeException cause = Confirmations.unwrap(failed.started().confirmed().handle((ok, failure) -> failure).join());
        List<Batch<T>> batches = new ArrayList<>(inFlight.size());
        for (InFlight<T, R> batch : inFlight) batches.add(batch.batch());
        inFlight.clear();
        Retry retry = new Retry();
        if (isClosing() || !retry.pause(cause, items(batches))) {
            leftToTheSource(items(batches));
            return;
        }
        for (int i = 0; i < batches.size(); i++) {
            if (!restartAndConfirm(batches.get(i).asRetry(), retry)) {
                leftToTheSource(items(batches.subList(i, batches.size())));
                return;
            }
        }
    }

    /** Starts the batch and waits for its confirmation, again and again, until confirmed; false when left to the source. */
    private boolean restartAndConfirm(Batch<T> batch, Retry retry) {
        while (true) {
            Started<R> started = startRetrying(batch, retry);
            if (started == null) return false;
            try {
                Confirmations.await(started.confirmed());
            } catch (RuntimeException e) {
                if (!holds(batch.epoch()) || !retry.pause(e, batch.items().size())) return false;
                continue;
            }
            retry.succeeded();
            acknowledge(List.of(new Done<>(batch, started.result())));
            return true;
        }
    }

    /** Closing: waits (bounded) for the batches in flight, so the confirmed ones are acknowledged rather than given again. */
    private void finishInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        while (!inFlight.isEmpty()) {
            InFlight<T, R> head = inFlight.peekFirst();
            try {
                head.started().confirmed().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                break;
            }
            inFlight.pollFirst();
            if (holds(head.batch().epoch()))
                acknowledge(List.of(new Done<>(head.batch(), head.started().result())));
        }
        if (!inFlight.isEmpty()) {
            int items = 0;
            for (InFlight<T, R> batch : inFlight) items += batch.batch().items().size();
            inFlight.clear();
            leftToTheSource(items);
        }
    }

    private void leftToTheSource(int items) {
        listener.leftToTheSource(items, isClosing());
    }

    private static <T> int items(List<Batch<T>> batches) {
        int items = 0;
        for (Batch<T> batch : batches) items += batch.items().size();
        return items;
    }

    /** The backoff of one failing step: doubling from the minimum to the maximum, with the jitter of the settings. */
    private final class Retry {
        private long backoffMillis = settings.backoffMin().toMillis();
        private int failures;
        private long failingSince;

        /** Waits before the next attempt; false when closing (the batch is then left to the source). */
        boolean pause(RuntimeException cause, int items) {
            if (failures++ == 0) failingSince = System.nanoTime();
            long jitter = (long) (backoffMillis * settings.backoffJitter());
            long wait = jitter == 0 ? backoffMillis : backoffMillis - ThreadLocalRandom.current().nextLong(jitter + 1);
            backoffMillis = Math.min(backoffMillis * 2, settings.backoffMax().toMillis());
            listener.retrying(cause, failures, items, Duration.ofMillis(wait));
            try {
                return !closing.await(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void succeeded() {
            if (failures > 0) listener.recovered(failures, Duration.ofNanos(System.nanoTime() - failingSince));
            failures = 0;
            backoffMillis = settings.backoffMin().toMillis();
        }
    }
}
