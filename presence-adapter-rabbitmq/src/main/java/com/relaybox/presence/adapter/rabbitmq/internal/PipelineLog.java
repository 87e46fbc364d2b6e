package com.relaybox.presence.adapter.rabbitmq.internal;

import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.pipeline.BatchPipeline;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.FencedOutException;
import org.slf4j.Logger;

import java.time.Duration;

/**
 * A pipeline's lifecycle events as log lines: one per failure streak, one when it ends, one per
 * batch left to the broker, one per epoch fenced out. Extend it to tell the same events to metrics or health.
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
            log.warn("event=batch_failed pipeline={} items={} retrying=true error={}", name, items,
                    Logfmt.quote(oneLine(cause.getMessage())));
        else
            log.error("event=batch_failed pipeline={} items={} retrying=true unexpected=true error={}", name, items,
                    Logfmt.quote(oneLine(String.valueOf(cause))), cause);
    }

    @Override
    public void recovered(int failures, Duration failingFor) {
        log.info("event=batch_recovered pipeline={} failed_attempts={} failing_ms={}", name, failures,
                failingFor.toMillis());
    }

    @Override
    public void leftToTheSource(int items, boolean closing) {
        log.info("event=batch_left_to_broker pipeline={} items={} because={}", name, items,
                closing ? "closing" : "channel_gone");
    }

    @Override
    public void fencedOut(RuntimeException cause, int items) {
        log.warn("event=batch_fenced_out pipeline={} items={} error={} detail=\"the broker no longer gives this channel the "
                + "queue: its batches are left, unapplied, to whoever consumes it now\"", name, items,
                Logfmt.quote(oneLine(cause.getMessage())));
    }

    @Override
    public void fencingTokenTakenAgain(FencedOutException refusal) {
        log.warn("event=fencing_token_taken_again pipeline={} refused={} detail=\"the broker confirms this instance still "
                + "has the queue: the store had lost its token (Redis restarted or failed over), or an instance that had "
                + "lost the queue took one\"", name, Logfmt.quote(oneLine(refusal.getMessage())));
    }

    @Override
    public void crashed(Throwable error) {
        log.error("event=pipeline_crashed pipeline={} error={} detail=\"not consumed until the service restarts\"",
                name, Logfmt.quote(oneLine(String.valueOf(error))), error);
    }

    public static String oneLine(String text) {
        String flat = String.valueOf(text).replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }
}
