package com.relaybox.presence.core.service;

import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.pipeline.BatchPipeline;
import com.relaybox.presence.core.port.in.EvictGhosts;
import com.relaybox.presence.core.port.in.EvictGhosts.Eviction;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.Liveness.StaleCursor;
import com.relaybox.presence.core.port.out.Liveness.StalePage;
import com.relaybox.presence.core.port.out.TimeSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds ghosts and evicts them (CONTRACT §8). Every {@link Settings#interval} the instance that
 * holds the sweeper role ({@link Liveness#lead}, renewed each interval) sweeps: first the
 * evictions an earlier sweep applied but never saw confirmed (that instance died, or its lease
 * lapsed), as redeliveries, so their leaves go out; then the stale heartbeats, a page at a time,
 * keeping the connections present in some room. The ghosts go through a {@link BatchPipeline}
 * to {@link EvictGhosts}; a confirmed batch is {@link Liveness#confirmed}, and then
 * {@linkplain EvictGhosts#evictionsAcknowledged acknowledged}.
 *
 * <p>Exactly once: one instance sweeps at a time, and an eviction is a job whose id is the ghost's,
 * so the store applies it once even if two instances briefly both believe they lead. The epoch of
 * the pipeline is the leadership term, and its fence holds only until the lease this instance took
 * would lapse: an instance that lost the role sends nothing more, and whatever it applied without
 * sending is finished by the next leader's first sweep. A sweep begins only once the previous one's
 * evictions are all done, so the evictions found unconfirmed at its start are never its own.
 */
public final class GhostSweeper implements AutoCloseable {
    /** How many unconfirmed evictions a sweep takes up again; more wait for the next sweep. */
    private static final int UNCONFIRMED_PER_SWEEP = 10_000;
    /**
     * Eviction batches sent and not yet confirmed: a batch waits mostly for its broadcasts' and
     * history's confirms, so a mass eviction goes as fast as this many overlap.
     */
    private static final int EVICTIONS_SENDING = 2;
    private static final int EVICTIONS_UNACKNOWLEDGED = 8;

    private final Liveness liveness;
    private final EvictGhosts evictions;
    private final TimeSource clock;
    private final Settings settings;
    private final Listener listener;
    private final String candidate;
    private final BatchPipeline<Found, List<Outcome>> pipeline;
    private final ScheduledExecutorService scheduler;

    /** The current leadership term, 0 when not leading; the pipeline's epoch. */
    private volatile long term;
    private long terms;
    /** Until when this instance surely holds the role ({@link System#nanoTime}). */
    private volatile long leaseDeadline;
    private volatile Sweep sweep;

    /**
     * How a sweep is done.
     *
     * @param timeout   a heartbeat older than this makes its connection a ghost (CONTRACT §8)
     * @param interval  time between sweeps, at most {@link #MAX_INTERVAL}
     * @param batchSize heartbeats read per page, and ghosts evicted per batch
     */
    public record Settings(Duration timeout, Duration interval, int batchSize) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
        public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
        public static final Duration MAX_INTERVAL = Duration.ofSeconds(10);
        public static final Duration MIN_LEASE_TERM = Duration.ofSeconds(2);
        public static final int DEFAULT_BATCH_SIZE = 500;
        public static final int MAX_BATCH_SIZE = 10_000;

        public Settings {
            requireTimeout(timeout);
            requireInterval(interval);
            requireBatchSize(batchSize);
        }

        public static Duration requireTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofDays(1)) > 0)
                throw new IllegalArgumentException("the liveness timeout must be between 1 s and 1 day, got " + timeout.toMillis()
                        + " ms");
            return timeout;
        }

        public static Duration requireInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0)
                throw new IllegalArgumentException("the sweep interval must be between " + MIN_INTERVAL.toMillis() + " and "
                        + MAX_INTERVAL.toMillis() + " ms, got " + interval.toMillis());
            return interval;
        }

        public static int requireBatchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE)
                throw new IllegalArgumentException("the sweep batch size must be between 1 and " + MAX_BATCH_SIZE + ", got "
                        + batchSize);
            return batchSize;
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_TIMEOUT, DEFAULT_INTERVAL, DEFAULT_BATCH_SIZE);
        }

        /**
         * How long the role is taken for at each renewal (every interval): a few intervals, and no
         * less than {@link #MIN_LEASE_TERM}, so a pause of the process or of Redis does not lose it.
         * It is also how long the role stays with an instance that died.
         */
        public Duration leaseTerm() {
            Duration intervals = interval.multipliedBy(3);
            return intervals.compareTo(MIN_LEASE_TERM) < 0 ? MIN_LEASE_TERM : intervals;
        }
    }

    /** What the sweeper tells, for logs and metrics (core logs nothing); the pipeline's own events included. */
    public interface Listener extends BatchPipeline.Listener {
        Listener NONE = new Listener() {
        };

        /**
         * A sweep is done: its ghosts are evicted and their leaves confirmed. {@code ghosts} counts
         * the evictions that left some room, {@code leaves} their leave broadcasts; {@code took}
         * runs from the sweep's start to its last confirmation.
         */
        default void swept(int ghosts, int leaves, Duration took) {
        }

        /** A sweep could not read, lead or confirm (the store is unavailable): the next interval tries again. */
        default void sweepFailed(RuntimeException cause) {
        }
    }

    public GhostSweeper(Liveness liveness, EvictGhosts evictions, TimeSource clock, Settings settings, Listener listener,
                        String candidate) {
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.evictions = Objects.requireNonNull(evictions, "evictions");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.candidate = Objects.requireNonNull(candidate, "candidate");
        BatchPipeline.Settings batches = new BatchPipeline.Settings(settings.batchSize(), Duration.ZERO, EVICTIONS_SENDING,
                EVICTIONS_UNACKNOWLEDGED, Duration.ofMillis(100), Duration.ofSeconds(5), 0.2, Duration.ofSeconds(3));
        this.pipeline = new BatchPipeline<>("ghost-evictions", batches, new Evicting(), listener, found -> 1);
        // Two threads: the role is renewed on time even while a long sweep reads.
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "presence-ghost-sweeper");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        pipeline.start();
        long millis = settings.interval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> safely(this::lead), 0, millis, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> safely(this::sweepOnce), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Ghosts found by the current sweep and not yet evicted. */
    public int backlog() {
        Sweep current = sweep;
        return current == null ? 0 : Math.max(0, current.remaining.get());
    }

    /** Whether this instance holds the sweeper role now. */
    public boolean leading() {
        return holds(term);
    }

    private void safely(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            listener.sweepFailed(e);
        }
    }

    /** Keeps or takes the role; a lapse (or a failure to renew) ends the term, and what it left is redelivered. */
    private synchronized void lead() {
        long asked = System.nanoTime();
        boolean wasLeading = leading();
        boolean held;
        try {
            held = liveness.lead(candidate, settings.leaseTerm());
        } catch (RuntimeException e) {
            term = 0;
            throw e;
        }
        if (!held) {
            term = 0;
            return;
        }
        if (!wasLeading) term = ++terms;
        leaseDeadline = asked + settings.leaseTerm().toNanos();
    }

    /** Sweeps while leading, unless the previous sweep is still evicting. */
    private void sweepOnce() {
        long epoch = term;
        if (!holds(epoch)) return;
        Sweep current = sweep;
        if (current != null && current.term == epoch && !current.finished.get()) return;
        sweep(epoch, System.nanoTime());
    }

    private void sweep(long epoch, long begun) {
        Sweep current = new Sweep(epoch, begun);
        sweep = current;
        try {
            for (Ghost ghost : liveness.unconfirmed(UNCONFIRMED_PER_SWEEP)) offer(current, new Eviction(ghost, true));
            Instant cutoff = clock.now().minus(settings.timeout());
            Optional<StaleCursor> cursor = Optional.of(StaleCursor.START);
            while (cursor.isPresent() && holds(epoch)) {
                StalePage page = liveness.stale(cutoff, cursor.get(), settings.batchSize());
                for (Ghost ghost : page.ghosts()) offer(current, new Eviction(ghost, false));
                cursor = page.next();
            }
        } catch (RuntimeException e) {
            // What it found is still evicted; the next sweep, once that is done, reads again from the start.
            current.abandoned = true;
            throw e;
        } finally {
            current.reading = false;
            current.finishIfDone();
        }
    }

    private void offer(Sweep current, Eviction eviction) {
        current.remaining.incrementAndGet();
        pipeline.offer(new Found(eviction, current), current.term);
    }

    private boolean holds(long epoch) {
        return epoch != 0 && epoch == term && System.nanoTime() - leaseDeadline < 0;
    }

    @Override
    public void close() throws InterruptedException {
        // Within the service's shutdown budget: a read in hand is bounded by the store's own timeout.
        scheduler.shutdownNow();
        scheduler.awaitTermination(3, TimeUnit.SECONDS);
        pipeline.stop();
        pipeline.awaitStopped(Duration.ofSeconds(4));
    }

    /** The pipeline's side: evict a batch, and on its confirmation forget its unconfirmed evictions. */
    private final class Evicting implements BatchPipeline.Transport<Found, List<Outcome>> {
        @Override
        public boolean holds(long epoch) {
            return GhostSweeper.this.holds(epoch);
        }

        @Override
        public BatchPipeline.Started<List<Outcome>> start(BatchPipeline.Batch<Found> batch) {
            List<Eviction> items = batch.items().stream()
                    .map(found -> batch.retry() ? found.eviction().asRedelivery() : found.eviction()).toList();
            var applied = evictions.evict(items, batch.fence());
            return new BatchPipeline.Started<>(applied.outcomes(), applied.broadcast(), applied.confirmed());
        }

        @Override
        public void acknowledge(List<BatchPipeline.Done<Found, List<Outcome>>> done) {
            List<Ghost> ghosts = new ArrayList<>();
            for (BatchPipeline.Done<Found, List<Outcome>> batch : done)
                for (Found found : batch.batch().items()) ghosts.add(found.eviction().ghost());
            try {
                liveness.confirmed(ghosts);
                // Only now can no sweep take them up again: their job memory may shrink to the duplicate window.
                evictions.evictionsAcknowledged(ghosts);
            } catch (RuntimeException e) {
                // They stay unconfirmed: the next leader's first sweep sends their leaves again (at least once).
                listener.sweepFailed(e);
            }
            for (BatchPipeline.Done<Found, List<Outcome>> batch : done) {
                List<Found> items = batch.batch().items();
                for (int i = 0; i < items.size(); i++) {
                    Outcome outcome = batch.result().get(i);
                    int leaves = outcome instanceof Outcome.Applied applied ? applied.events().size() : 0;
                    items.get(i).sweep().evicted(leaves);
                }
            }
        }
    }

    /** A ghost found by a sweep, on its way through the pipeline: its eviction is that sweep's. */
    private record Found(Eviction eviction, Sweep sweep) {
    }

    /** One sweep's progress: done when reading has ended and every ghost it found is evicted. */
    private final class Sweep {
        final long term;
        final long begun;
        final AtomicInteger remaining = new AtomicInteger();
        final AtomicInteger evicted = new AtomicInteger();
        final AtomicInteger leaves = new AtomicInteger();
        final AtomicBoolean finished = new AtomicBoolean();
        volatile boolean reading = true;
        /** Reading failed: reported as a failure, not as a sweep. */
        volatile boolean abandoned;

        Sweep(long term, long begun) {
            this.term = term;
            this.begun = begun;
        }

        /** One of its ghosts is evicted and confirmed; {@code leaves} is 0 when it was in no room any more. */
        void evicted(int leaveCount) {
            if (leaveCount > 0) {
                evicted.incrementAndGet();
                leaves.addAndGet(leaveCount);
            }
            remaining.decrementAndGet();
            finishIfDone();
        }

        void finishIfDone() {
            if (reading || remaining.get() > 0 || !finished.compareAndSet(false, true) || abandoned) return;
            listener.swept(evicted.get(), leaves.get(), Duration.ofNanos(System.nanoTime() - begun));
        }
    }
}
