package com.relaybox.presence.app;

import com.relaybox.presence.core.log.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts every {@link Managed} part in phase order and stops the started ones in reverse, once.
 * Parts of one phase stop side by side (each consumer finishing its own batch), so the shutdown
 * takes the longest of them, not their sum.
 */
public final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final List<Managed> parts;
    private final Deque<Managed> started = new ArrayDeque<>();
    private boolean stopped;

    public Lifecycle(Set<Managed> parts) {
        this.parts = parts.stream().sorted(Comparator.comparing(Managed::phase)).toList();
    }

    /** Starts the parts in order; if one fails, the ones already started are stopped and the failure thrown. */
    public synchronized void start() throws Exception {
        for (Managed part : parts) {
            try {
                part.start();
            } catch (Exception e) {
                log.error("event=start_failed part={} error={}", part.name(), Logfmt.quote(String.valueOf(e)));
                stop();
                throw e;
            }
            started.push(part);
            log.debug("event=part_started part={}", part.name());
        }
    }

    /** Stops every started part, latest phase first; a part that fails to stop does not keep the others open. */
    public synchronized boolean stop() {
        if (stopped) return true;
        stopped = true;
        AtomicBoolean clean = new AtomicBoolean(true);
        while (!started.isEmpty()) {
            Managed.Phase phase = started.peek().phase();
            List<Thread> stopping = new ArrayList<>();
            while (!started.isEmpty() && started.peek().phase() == phase) {
                Managed part = started.pop();
                Thread thread = new Thread(() -> stop(part, clean), "stop-" + part.name());
                thread.start();
                stopping.add(thread);
            }
            for (Thread thread : stopping) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    clean.set(false);
                }
            }
        }
        return clean.get();
    }

    private static void stop(Managed part, AtomicBoolean clean) {
        long begun = System.nanoTime();
        try {
            part.stop();
            log.info("event=stopped part={} duration_ms={}", part.name(), (System.nanoTime() - begun) / 1_000_000);
        } catch (Exception e) {
            clean.set(false);
            log.error("event=stop_failed part={} error={}", part.name(), Logfmt.quote(String.valueOf(e)), e);
        }
    }
}
