package com.relaybox.presence.adapter.bullmq;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.pipeline.BatchPipeline;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.redis.RedisPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Consumes a BullMQ queue (RelayBox's {@code queue:presence}, CONTRACT §7) as a BullMQ worker
 * does, in batches, through a {@link BatchPipeline}:
 *
 * <ul>
 *   <li>One instance at a time consumes the queue: the one holding its lease, a key in Redis that
 *       expires unless renewed. The others stand by and try to take it every renewal interval, so
 *       when its holder dies the queue moves to another within about a lock duration. BullMQ's wait
 *       list is one FIFO for every room: a single consumer, with batches pipelined inside it,
 *       keeps each room's order.</li>
 *   <li>The holder moves up to a batch of jobs from {@code wait} to {@code active} per round trip,
 *       each locked with its lease token; when wait is empty it blocks on BullMQ's {@code marker}
 *       (which every {@code Queue.add} sets) instead of polling; while the queue is paused
 *       ({@code meta.paused}) it takes nothing.</li>
 *   <li>It renews the lease and the locks of its jobs in flight in one call every third of the lock
 *       duration, runs BullMQ's stalled-job check every stalled interval, and finishes the confirmed
 *       jobs of every batch confirmed at once in one call (see {@link JobBatches}).</li>
 *   <li>Taking the lease gives back to wait, in order, what former holders took and did not finish;
 *       closing gives back what this instance did not finish, and lets the lease go.</li>
 * </ul>
 *
 * <p>A Redis failure never fails a job: the step is tried again with a doubling backoff; a batch
 * whose store, broadcasts or history fail is retried in order by the pipeline.
 */
public final class BullMqIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BullMqIntake.class);
    private static final int MAX_BATCHES_SENDING = 4;
    /** Batches awaiting their history confirmation meanwhile; bounded in jobs by {@link Flight} too. */
    private static final int MAX_BATCHES_UNACKNOWLEDGED = 64;
    private static final Duration BACKOFF_MIN = Duration.ofMillis(100);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(5);
    private static final double MARKER_BLOCK_SECONDS = 1.0;

    private final BullMqSettings settings;
    private final String instance = Long.toHexString(ProcessHandle.current().pid()) + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    private final RedisPool pool;
    private final UnifiedJedis redis;
    private final QueueScripts scripts;
    private final Lease lease;
    private final Flight flight;
    private final JobBatches batches;
    private final BatchPipeline<TakenJob, List<Outcome>> pipeline;
    private final BullMqObserver observer;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread taker;
    private final ScheduledExecutorService timer;
    private volatile String holder = "";
    private volatile boolean paused;
    private volatile String problem = "";
    private boolean closed;

    /** What the intake is doing now, for health. */
    public record State(boolean running, boolean holdsLease, long epoch, String holder, boolean paused, String problem) {
    }

    /** The queue's lists as BullMQ's {@code getJobCounts} counts them. */
    public record Depth(long waiting, long active, long paused, long failed) {
    }

    private BullMqIntake(BullMqSettings settings, ProcessJobs jobs, BullMqObserver observer) {
        this.settings = settings;
        this.observer = observer;
        this.pool = pool(settings);
        this.redis = pool.client();
        this.scripts = new QueueScripts(redis, settings.keyBase());
        this.lease = new Lease(settings.lockDuration());
        this.flight = new Flight(settings.batchSize() * MAX_BATCHES_SENDING);
        this.batches = new JobBatches(scripts, jobs, lease, "bullmq:" + settings.prefix() + ":" + settings.queue(), flight,
                observer);
        BatchPipeline.Settings pipelineSettings = new BatchPipeline.Settings(settings.batchSize(), settings.batchMaxWait(),
                MAX_BATCHES_SENDING, MAX_BATCHES_UNACKNOWLEDGED, BACKOFF_MIN, BACKOFF_MAX, 0, settings.shutdownTimeout());
        this.pipeline = new BatchPipeline<>("bullmq-" + settings.queue(), pipelineSettings, batches, new Log(), job -> 1);
        this.taker = new Thread(this::takeLoop, "presence-bullmq-" + settings.queue() + "-taker");
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "presence-bullmq-" + settings.queue() + "-lease");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static BullMqIntake consume(BullMqSettings settings, ProcessJobs jobs) {
        return consume(settings, jobs, BullMqObserver.NONE);
    }

    /** Starts consuming; Redis being down at start is not an error (the intake waits for it). */
    public static BullMqIntake consume(BullMqSettings settings, ProcessJobs jobs, BullMqObserver observer) {
        BullMqIntake intake = new BullMqIntake(Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(jobs, "jobs"), Objects.requireNonNull(observer, "observer"));
        intake.pipeline.start();
        intake.taker.start();
        long renewMillis = Math.max(1, settings.renewInterval().toMillis());
        intake.timer.scheduleWithFixedDelay(intake::renew, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        intake.timer.scheduleWithFixedDelay(intake::checkStalled, settings.stalledInterval().toMillis(),
                settings.stalledInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event=bullmq_consuming keys={}* instance={} lock_ms={} stalled_interval_ms={} batch_size={} on={}"
                        + " primary={}", settings.keyBase(), intake.instance, settings.lockDuration().toMillis(),
                settings.stalledInterval().toMillis(), settings.batchSize(), settings.endpoint().describe(),
                intake.pool.primary());
        return intake;
    }

    /**
     * The intake's own pool on the same endpoint as the store: its connections block on the marker,
     * so they must not take the store's. A read may block for the marker's second on top of the timeout.
     */
    private static RedisPool pool(BullMqSettings settings) {
        try {
            // the taker (blocking on the marker), the timer, the pipeline, reads
            return RedisPool.open(settings.endpoint(), "presence-bullmq", 6, settings.timeout(),
                    settings.timeout().plusMillis((long) (MARKER_BLOCK_SECONDS * 1000)));
        } catch (JedisException e) {
            throw new DependencyUnavailableException("BullMQ Redis " + settings.endpoint().describe()
                    + ": no Sentinel tells where the primary is: " + e.getMessage(), e);
        }
    }

    // ---- taking jobs

    private void takeLoop() {
        long backoff = BACKOFF_MIN.toMillis();
        while (!isClosing()) {
            try {
                Lease.Held held = lease.current();
                if (held == null) {
                    if (!acquire()) pause(settings.renewInterval().toMillis());
                } else {
                    int room = flight.awaitRoom(200);
                    if (room > 0) take(held, Math.min(room, settings.batchSize()));
                }
                backoff = BACKOFF_MIN.toMillis();
                problem = "";
            } catch (DependencyUnavailableException e) {
                if (problem.isEmpty())
                    LOG.warn("event=bullmq_unavailable keys={}* error={}", settings.keyBase(), Logfmt.quote(e.getMessage()));
                problem = JobParser.oneLine(e.getMessage());
                pause(backoff);
                backoff = Math.min(backoff * 2, BACKOFF_MAX.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                problem = JobParser.oneLine(String.valueOf(e));
                LOG.error("event=bullmq_take_failed keys={}*", settings.keyBase(), e);
                pause(backoff);
                backoff = Math.min(backoff * 2, BACKOFF_MAX.toMillis());
            }
        }
    }

    /** Tries to take the lease; true when this instance holds it now. */
    private boolean acquire() {
        long sentAt = System.nanoTime();
        List<?> reply = (List<?>) scripts.run(QueueScripts.ACQUIRE,
                List.of(Keys.LEASE, Keys.EPOCH, "active", "wait", "paused", "meta", "marker", "events"),
                List.of(instance, Long.toString(settings.lockDuration().toMillis()), scripts.base()));
        if (QueueScripts.number(reply.get(0)) == 0) {
            holder = QueueScripts.text(reply.get(1));
            return false;
        }
        String token = QueueScripts.text(reply.get(1));
        Lease.Held held = lease.took(token, sentAt);
        flight.reset(held.epoch());
        holder = token;
        LOG.info("event=bullmq_lease_taken keys={}* epoch={} instance={} given_back={}", settings.keyBase(), held.epoch(),
                instance, QueueScripts.number(reply.get(2)));
        return true;
    }

    private void take(Lease.Held held, int most) {
        List<?> reply = (List<?>) scripts.run(QueueScripts.TAKE, List.of(Keys.LEASE, "wait", "active", "meta", "events"),
                List.of(held.token(), Long.toString(settings.lockDuration().toMillis()), Integer.toString(most),
                        Long.toString(System.currentTimeMillis()), scripts.base()));
        long status = QueueScripts.number(reply.get(0));
        if (status == -1) {
            loseLease(held);
            return;
        }
        paused = status == -2;
        if (paused || reply.size() == 1) {
            awaitMarker();
            return;
        }
        int taken = 0;
        for (int i = 1; i + 4 < reply.size(); i += 5) {
            TakenJob job = new TakenJob(QueueScripts.text(reply.get(i)), QueueScripts.text(reply.get(i + 1)),
                    (byte[]) reply.get(i + 2), QueueScripts.number(reply.get(i + 3)), QueueScripts.number(reply.get(i + 4)));
            flight.taken(held.epoch(), job.id());
            pipeline.offer(job, held.epoch());
            taken++;
        }
        int count = taken;
        notify(() -> observer.taken(count));
    }

    /** Waits (bounded) for BullMQ's marker: a producer added a job. */
    private void awaitMarker() {
        try {
            redis.bzpopmin(MARKER_BLOCK_SECONDS, scripts.key("marker"));
        } catch (JedisException e) {
            pool.dropIdle();
            throw QueueScripts.unavailable("waiting on the marker", e);
        }
    }

    private void loseLease(Lease.Held held) {
        lease.lost(held.token());
        flight.reset(-1);
        LOG.warn("event=bullmq_lease_lost keys={}* epoch={} instance={}", settings.keyBase(), held.epoch(), instance);
    }

    // ---- the timer: renewals, the stalled check, finishes Redis did not take

    private void renew() {
        Lease.Held held = lease.current();
        if (held == null) return;
        List<String> args = new ArrayList<>();
        args.add(held.token());
        args.add(Long.toString(settings.lockDuration().toMillis()));
        args.add(scripts.base());
        args.addAll(flight.ids(held.epoch()));
        long sentAt = System.nanoTime();
        try {
            long renewed = QueueScripts.number(scripts.run(QueueScripts.RENEW, List.of(Keys.LEASE, "stalled"), args));
            if (renewed == 1) lease.renewed(held.token(), sentAt);
            else loseLease(held);
            batches.finishPending();
        } catch (DependencyUnavailableException e) {
            LOG.debug("lease renewal failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("event=bullmq_renew_failed keys={}*", settings.keyBase(), e);
        }
    }

    private void checkStalled() {
        Lease.Held held = lease.current();
        if (held == null) return;
        try {
            long givenBack = QueueScripts.number(scripts.run(QueueScripts.STALLED,
                    List.of(Keys.LEASE, "stalled", "active", "wait", "stalled-check", "meta", "paused", "marker", "events"),
                    List.of(held.token(), Long.toString(System.currentTimeMillis()),
                            Long.toString(settings.stalledInterval().toMillis()), scripts.base())));
            if (givenBack > 0)
                LOG.warn("event=bullmq_stalled keys={}* jobs={} (their locks lapsed; taken again)", settings.keyBase(), givenBack);
        } catch (DependencyUnavailableException e) {
            LOG.debug("stalled check failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("event=bullmq_stalled_check_failed keys={}*", settings.keyBase(), e);
        }
    }

    // ---- state

    /** Whether the intake works: its threads alive and Redis answering (holding the lease or standing by). */
    public State state() {
        Lease.Held held = lease.current();
        boolean running = !isClosing() && taker.isAlive() && pipeline.isRunning();
        return new State(running, held != null, held == null ? 0 : held.epoch(), holder, paused, problem);
    }

    /** The queue's lists; throws {@link DependencyUnavailableException} when Redis cannot tell. */
    public Depth depth() {
        try {
            return new Depth(redis.llen(scripts.key("wait")), redis.llen(scripts.key("active")),
                    redis.llen(scripts.key("paused")), redis.zcard(scripts.key("failed")));
        } catch (JedisException e) {
            throw QueueScripts.unavailable("reading the queue's depth", e);
        }
    }

    public BullMqSettings settings() {
        return settings;
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private void pause(long millis) {
        try {
            closing.await(Math.max(1, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("event=observer_failed error={}", Logfmt.quote(String.valueOf(e)));
        }
    }

    /**
     * Stops taking jobs, lets the pipeline finish (and complete) the batches in flight within the
     * shutdown timeout, gives back to wait, in order, what it took and did not finish, and lets the
     * lease go, so another instance takes over at once.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        closing.countDown();
        try {
            taker.join(settings.timeout().toMillis() + (long) (MARKER_BLOCK_SECONDS * 1000) + 500);
            pipeline.stop();
            if (!pipeline.awaitStopped(settings.shutdownTimeout()))
                LOG.warn("event=bullmq_close_timeout keys={}* (unfinished jobs are given back)", settings.keyBase());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        batches.finishPending();
        timer.shutdownNow();
        Lease.Held held = lease.current();
        if (held != null) {
            try {
                long givenBack = QueueScripts.number(scripts.run(QueueScripts.RELEASE,
                        List.of(Keys.LEASE, "active", "wait", "paused", "meta", "marker", "events"),
                        List.of(held.token(), scripts.base())));
                LOG.info("event=bullmq_lease_released keys={}* epoch={} given_back={}", settings.keyBase(), held.epoch(),
                        Math.max(0, givenBack));
            } catch (DependencyUnavailableException e) {
                LOG.warn("event=bullmq_release_failed keys={}* error={} detail=\"the lease lapses by itself\"", settings.keyBase(),
                        Logfmt.quote(e.getMessage()));
            }
            lease.lost(held.token());
        }
        pool.close();
        LOG.info("event=stopped part=bullmq keys={}*", settings.keyBase());
    }

    /**
     * Stops at once without a word to Redis, as a killed process would: the lease and the locks of
     * the jobs in flight lapse by themselves. For tests of what another instance does then.
     */
    void abandon() {
        synchronized (this) {
            closed = true;
        }
        closing.countDown();
        timer.shutdownNow();
        lease.lost(holder);
        pipeline.stop();
        pool.close();
    }

    /** The pipeline's events as log lines, and its retries to the observer. */
    private final class Log implements BatchPipeline.Listener {
        @Override
        public void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
            if (attempt == 1) {
                if (cause instanceof DependencyUnavailableException)
                    LOG.warn("event=bullmq_batch_retrying keys={}* jobs={} error={}", settings.keyBase(), items,
                            Logfmt.quote(cause.getMessage()));
                else
                    LOG.error("event=bullmq_batch_retrying keys={}* jobs={} unexpected", settings.keyBase(), items, cause);
            }
            BullMqIntake.notify(() -> observer.retrying(cause, backoff.toMillis()));
        }

        @Override
        public void recovered(int failures, Duration failingFor) {
            LOG.info("event=bullmq_batch_recovered keys={}* failures={} failing_ms={}", settings.keyBase(), failures,
                    failingFor.toMillis());
        }

        @Override
        public void leftToTheSource(int items, boolean closing) {
            LOG.info("event=bullmq_batch_given_back keys={}* jobs={} reason={}", settings.keyBase(), items,
                    closing ? "closing" : "lease_lost");
        }

        @Override
        public void fencedOut(RuntimeException cause, int items) {
            LOG.warn("event=bullmq_batch_fenced_out keys={}* jobs={} error={} detail=\"another instance holds the lease "
                    + "now: the batch is left to it, unapplied\"", settings.keyBase(), items, Logfmt.quote(cause.getMessage()));
        }

        @Override
        public void fencingTokenTakenAgain(FencedOutException refusal) {
            LOG.warn("event=bullmq_fencing_token_taken_again keys={}* refused={} detail=\"this instance still holds the "
                    + "lease: the store had lost its token (Redis restarted or failed over), or an instance that had lost "
                    + "the lease took one\"", settings.keyBase(), Logfmt.quote(refusal.getMessage()));
        }

        @Override
        public void crashed(Throwable error) {
            LOG.error("event=bullmq_pipeline_crashed keys={}*; not consumed until the service restarts", settings.keyBase(), error);
        }
    }
}
