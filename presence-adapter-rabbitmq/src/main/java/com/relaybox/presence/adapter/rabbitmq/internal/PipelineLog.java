package com.relaybox.presence.adapter.rabbitmq.internal;

import com.relaybox.presence.core.pipeline.BatchPipeline;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import org.slf4j.Logger;

import java.time.Duration;

/**
 * A pipeline's lifecycle events as log lines: one per failure streak, one when it ends, one per
 * batch left to the broker. Extend it to tell the same events to metrics or health.
 */
public class PipelineLog implements BatchPipeline.Listener {
    private final Logger log;
    private final String name;

    public PipelineLog(Logger log, String name) {
        this.log = log;
        this.name = name;
    }

    @Override
    public void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
        if (attempt > 1) return;
        if (cause instanceof DependencyUnavailableException)
            log.warn("{}: batch of {} failed, retrying with backoff until it goes through: {}", name, items,
                    oneLine(cause.getMessage()));
        else
            log.error("{}: batch of {} failed unexpectedly, retrying with backoff", name, items, cause);
    }

    @Override
    public void recovered(int failures, Duration failingFor) {
        log.info("{}: going through again after {} failed attempts in {} ms", name, failures, failingFor.toMillis());
    }

    @Override
    public void leftToTheSource(int items, boolean closing) {
        log.info("{}: batch of {} left unacknowledged ({}); the broker gives it again, in order", name, items,
                closing ? "closing" : "its channel is gone");
    }

    @Override
    public void crashed(Throwable error) {
        log.error("{}: stopped by an unexpected error; not consumed until the service restarts", name, error);
    }

    public static String oneLine(String text) {
        String flat = String.valueOf(text).replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }
}
