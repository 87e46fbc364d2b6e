package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.log.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Shortens acknowledged jobs' memory on a thread of its own, so that a shard's pipeline thread,
 * which acknowledges a run of batches and goes on to the next, never waits for the round trip.
 * What every shard acknowledges within {@link #LINGER} goes to Redis as one pipeline, so at any
 * rate there are at most about twenty of those round trips a second, not one per run of batches.
 *
 * <p>Best effort, as the port allows: ids past {@link #MOST_PENDING} (Redis slower than the jobs for
 * a long time) are not shortened and stay remembered for the whole job memory, which costs memory,
 * never a duplicate; closing sends what is pending once more.
 */
final class JobMemoryShortener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobMemoryShortener.class);
    static final Duration LINGER = Duration.ofMillis(50);
    static final int MOST_PENDING = 200_000;

    private final String where;
    private final Consumer<List<JobId>> shorten;
    private final Duration closeTimeout;
    private final Object lock = new Object();
    private List<JobId> pending = new ArrayList<>();
    private boolean overflowing;
    private boolean closed;
    private Thread thread;

    /** {@code shorten} sends one pipeline of PEXPIREs and reports its own failures; it must not throw. */
    JobMemoryShortener(String where, Consumer<List<JobId>> shorten, Duration closeTimeout) {
        this.where = where;
        this.shorten = shorten;
        this.closeTimeout = closeTimeout;
    }

    void offer(List<JobId> jobs) {
        if (jobs.isEmpty()) return;
        synchronized (lock) {
            if (closed) return;
            if (pending.size() + jobs.size() > MOST_PENDING) {
                if (!overflowing) {
                    overflowing = true;
                    log.warn("event=job_memory_backlog_full redis={} pending={} detail={}", where, pending.size(),
                            Logfmt.quote("Redis takes the shortening slower than jobs are acknowledged; the jobs past this"
                                    + " stay remembered for the whole job memory; harmless but for Redis memory"));
                }
                return;
            }
            boolean wasEmpty = pending.isEmpty();
            pending.addAll(jobs);
            if (thread == null) {
                // Started on first use: a store opened only to read presence has no thread.
                thread = new Thread(this::run, "presence-job-memory");
                thread.setDaemon(true);
                thread.start();
            }
            if (wasEmpty) lock.notifyAll(); // later offers join the linger without ending it
        }
    }

    private void run() {
        while (true) {
            List<JobId> batch;
            boolean last;
            synchronized (lock) {
                while (pending.isEmpty() && !closed) waitOn(0);
                // Gather what the other shards acknowledge meanwhile.
                long lingerEnd = System.nanoTime() + LINGER.toNanos();
                for (long left = LINGER.toMillis(); left > 0 && !closed;
                     left = TimeUnit.NANOSECONDS.toMillis(lingerEnd - System.nanoTime()))
                    waitOn(left);
                batch = pending;
                pending = new ArrayList<>(Math.max(16, batch.size()));
                overflowing = false;
                last = closed;
            }
            if (!batch.isEmpty()) shorten.accept(batch);
            if (last) return;
        }
    }

    /** Waits on the lock (0: until notified); an interrupt of this, our own thread, closes it. */
    private void waitOn(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    /** Sends what is pending, waiting at most the close timeout for it. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            running = thread;
            lock.notifyAll();
        }
        if (running == null) return;
        try {
            running.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running.isAlive())
            log.warn("event=job_memory_not_shortened_at_close redis={} detail={}", where,
                    Logfmt.quote("Redis did not answer within " + closeTimeout.toMillis() + " ms; those jobs stay"
                            + " remembered for the whole job memory; harmless"));
    }
}
