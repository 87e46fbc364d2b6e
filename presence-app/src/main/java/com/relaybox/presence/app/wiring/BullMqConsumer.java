package com.relaybox.presence.app.wiring;

import com.relaybox.presence.adapter.bullmq.BullMqIntake;
import com.relaybox.presence.adapter.bullmq.BullMqSettings;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.metrics.IntakeMetrics;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The BullMQ intake as one part of the lifecycle (started with the workers, stopped right after
 * HTTP), its health, and its gauges: the queue's wait list (polled every 5 s) and whether this
 * instance holds the queue's lease.
 */
final class BullMqConsumer implements Managed {
    private static final Logger log = LoggerFactory.getLogger(BullMqConsumer.class);
    private static final long POLL_SECONDS = 5;
    private static final long UNKNOWN = -1;

    private final BullMqSettings settings;
    private final ProcessJobs jobs;
    private final IntakeMetrics metrics;
    private final AtomicLong waiting = new AtomicLong(UNKNOWN);
    private volatile BullMqIntake intake;
    private ScheduledExecutorService poller;

    BullMqConsumer(BullMqSettings settings, ProcessJobs jobs, MeterRegistry registry) {
        this.settings = settings;
        this.jobs = jobs;
        this.metrics = IntakeMetrics.bullmq(registry);
        Gauge.builder("presence.bullmq.waiting", waiting, value -> value.get() == UNKNOWN ? Double.NaN : value.get())
                .description("Jobs in the BullMQ queue's wait list").baseUnit("jobs").register(registry);
        Gauge.builder("presence.bullmq.lease.held", this, consumer -> consumer.holdsLease() ? 1 : 0)
                .description("1 while this instance holds the BullMQ queue's lease (consumes it), else 0")
                .register(registry);
    }

    private boolean holdsLease() {
        BullMqIntake current = intake;
        return current != null && current.state().holdsLease();
    }

    @Override
    public String name() {
        return "bullmq-intake";
    }

    @Override
    public Phase phase() {
        return Phase.WORKERS;
    }

    @Override
    public void start() {
        intake = BullMqIntake.consume(settings, jobs, metrics);
        poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bullmq-depth");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(this::pollDepth, 0, POLL_SECONDS, TimeUnit.SECONDS);
        log.info("event=bullmq_intake_up keys={}* lock_ms={} stalled_interval_ms={}", settings.keyBase(),
                settings.lockDuration().toMillis(), settings.stalledInterval().toMillis());
    }

    private void pollDepth() {
        try {
            waiting.set(intake.depth().waiting());
        } catch (DependencyUnavailableException e) {
            waiting.set(UNKNOWN);
        } catch (RuntimeException e) {
            log.warn("event=bullmq_depth_failed error={}", Logfmt.quote(String.valueOf(e)));
        }
    }

    @Override
    public void stop() {
        if (poller != null) poller.shutdownNow();
        if (intake != null) intake.close();
    }

    /** UP consuming or standing by (another instance holds the lease); DOWN when it cannot work. */
    Health health() {
        BullMqIntake current = intake;
        if (current == null) return Health.down("not started");
        BullMqIntake.State state = current.state();
        String keys = settings.keyBase() + "*";
        if (!state.running()) return Health.down(keys + ": the intake stopped");
        if (!state.problem().isEmpty()) return Health.down(keys + ": " + state.problem());
        if (!state.holdsLease())
            return Health.up(keys + ": standing by" + (state.holder().isEmpty() ? "" : ", lease held by " + state.holder()));
        String depth;
        try {
            BullMqIntake.Depth now = current.depth();
            depth = now.waiting() + " waiting, " + now.active() + " active, " + now.paused() + " paused, " + now.failed() + " failed";
        } catch (DependencyUnavailableException e) {
            return Health.down(keys + ": " + e.getMessage());
        }
        return Health.up(keys + ": consuming (lease epoch " + state.epoch() + ")" + (state.paused() ? ", queue paused" : "")
                + "; " + depth);
    }
}
