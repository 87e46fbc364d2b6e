package com.relaybox.presence.app.wiring;

import com.relaybox.presence.adapter.postgres.PostgresHistory;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriter;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.Managed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.OptionalLong;

/**
 * Moves history from the outbox queue to PostgreSQL, as a part of the lifecycle. While PostgreSQL
 * is away history is {@code DEGRADED}, not down: the records wait in the queue and presence goes on.
 */
final class HistoryWriting implements Managed {
    private final HistoryQueueSettings queue;
    private final HistoryWriterSettings settings;
    private final PostgresHistory history;
    private volatile HistoryWriter writer;

    HistoryWriting(HistoryQueueSettings queue, HistoryWriterSettings settings, PostgresHistory history,
                   MeterRegistry registry) {
        this.queue = queue;
        this.settings = settings;
        this.history = history;
        Gauge.builder("presence.history.backlog", this, HistoryWriting::backlog)
                .description("History messages not yet written to PostgreSQL (ready in the queue or in the writer's hands)")
                .baseUnit("messages").register(registry);
        Gauge.builder("presence.history.degraded", this, HistoryWriting::degraded)
                .description("1 while the history writer cannot write to PostgreSQL (records wait in the queue), else 0")
                .register(registry);
    }

    /** The writer's own view, without asking PostgreSQL: a scrape must not wait for a database. */
    private double degraded() {
        HistoryWriter current = writer;
        if (current == null) return Double.NaN;
        return current.status().healthy() ? 0 : 1;
    }

    private double backlog() {
        HistoryWriter current = writer;
        if (current == null) return Double.NaN;
        OptionalLong backlog = current.backlog();
        return backlog.isPresent() ? backlog.getAsLong() : Double.NaN;
    }

    @Override
    public String name() {
        return "history-writer";
    }

    @Override
    public Phase phase() {
        return Phase.WORKERS;
    }

    @Override
    public void start() {
        writer = new HistoryWriter(queue, settings, history);
    }

    @Override
    public void stop() {
        if (writer != null) writer.close();
    }

    Health health() {
        HistoryWriter current = writer;
        if (current == null) return Health.down("history writer not started");
        HistoryWriter.Status status = current.status();
        String backlog = status.backlogMessages().isPresent() ? status.backlogMessages().getAsLong() + " messages waiting"
                : "backlog unknown";
        if (status.healthy() && history.isHealthy()) return Health.up("writing to PostgreSQL, " + backlog);
        String why = status.healthy() ? "PostgreSQL does not answer" : status.detail();
        return Health.degraded(why + "; history waits in " + queue.queue() + " (" + backlog + ")");
    }
}
