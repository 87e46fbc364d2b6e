package com.relaybox.presence.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/** Starts every {@link Managed} part in phase order and stops the started ones in reverse, once. */
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
                log.error("event=start_failed part={} error={}", part.name(), Logging.quote(String.valueOf(e)));
                stop();
                throw e;
            }
            started.push(part);
            log.debug("event=part_started part={}", part.name());
        }
    }

    /** Stops every started part, latest first; a part that fails to stop does not keep the others open. */
    public synchronized boolean stop() {
        if (stopped) return true;
        stopped = true;
        boolean clean = true;
        while (!started.isEmpty()) {
            Managed part = started.pop();
            try {
                part.stop();
                log.info("event=stopped part={}", part.name());
            } catch (Exception e) {
                clean = false;
                log.error("event=stop_failed part={} error={}", part.name(), Logging.quote(String.valueOf(e)), e);
            }
        }
        return clean;
    }
}
