package com.relaybox.presence.app.wiring;

import com.relaybox.presence.app.Managed;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.port.in.EvictGhosts;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.GhostSweeper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ghost sweeper (CONTRACT §8) as a part of the lifecycle, in either mode: started with the
 * consumers, stopped with them. One INFO line per sweep that evicted something, never one per
 * connection; a failing sweep is logged when it starts failing and when it recovers.
 */
final class GhostSweeping implements Managed {
    private static final Logger log = LoggerFactory.getLogger(GhostSweeping.class);

    private final GhostSweeper sweeper;
    private final GhostSweeper.Settings settings;

    GhostSweeping(Liveness liveness, EvictGhosts evictions, TimeSource clock, GhostSweeper.Settings settings,
                  MeterRegistry registry) {
        this.settings = settings;
        this.sweeper = new GhostSweeper(liveness, evictions, clock, settings, new Metered(registry),
                "presence-" + UUID.randomUUID());
        Gauge.builder("presence.ghosts.backlog", sweeper, GhostSweeper::backlog)
                .description("Ghosts found by the current sweep and not yet evicted")
                .register(registry);
    }

    @Override
    public String name() {
        return "ghost-sweeper";
    }

    @Override
    public Phase phase() {
        return Phase.WORKERS;
    }

    @Override
    public void start() {
        sweeper.start();
        log.info("event=ghost_sweeper_up liveness_timeout_s={} interval_ms={} batch={}", settings.timeout().toSeconds(),
                settings.interval().toMillis(), settings.batchSize());
    }

    @Override
    public void stop() throws InterruptedException {
        sweeper.close();
    }

    private static final class Metered implements GhostSweeper.Listener {
        private final Counter evicted;
        private final Counter failures;
        private final Timer sweeps;
        private final AtomicBoolean failing = new AtomicBoolean();

        Metered(MeterRegistry registry) {
            evicted = Counter.builder("presence.ghosts.evicted")
                    .description("Ghosts evicted: connections that left every room after their heartbeat went stale")
                    .register(registry);
            failures = Counter.builder("presence.ghost.sweep.failures")
                    .description("Sweeps that could not read, lead or confirm, and evictions retried")
                    .register(registry);
            sweeps = Timer.builder("presence.ghost.sweep")
                    .description("From the start of a sweep to the confirmation of its last eviction")
                    .register(registry);
        }

        @Override
        public void swept(int ghosts, int leaves, Duration took) {
            sweeps.record(took);
            recovered();
            if (ghosts == 0) return;
            evicted.increment(ghosts);
            log.info("event=ghosts_evicted ghosts={} leaves={} duration_ms={}", ghosts, leaves, took.toMillis());
        }

        @Override
        public void sweepFailed(RuntimeException cause) {
            failures.increment();
            if (failing.compareAndSet(false, true))
                log.warn("event=ghost_sweep_failed error={}", Logfmt.quote(String.valueOf(cause.getMessage())));
        }

        @Override
        public void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
            sweepFailed(cause);
        }

        @Override
        public void crashed(Throwable error) {
            log.error("event=ghost_evictions_crashed error={}", Logfmt.quote(String.valueOf(error)), error);
        }

        private void recovered() {
            if (failing.compareAndSet(true, false)) log.info("event=ghost_sweep_recovered");
        }
    }
}
