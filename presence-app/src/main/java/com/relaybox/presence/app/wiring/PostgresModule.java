package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.postgres.HistoryRetention;
import com.relaybox.presence.adapter.postgres.PostgresHistory;
import com.relaybox.presence.adapter.postgres.PostgresSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.core.port.out.HistoryReader;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;

/**
 * History in PostgreSQL (services mode): read over HTTP, written by the history writer from the
 * outbox queue that {@link RabbitModule} provides.
 */
public final class PostgresModule extends AbstractModule {
    private final PostgresSettings settings;
    private final HistoryRetention retention;
    private final HistoryWriterSettings writer;

    public PostgresModule(PostgresSettings settings, HistoryRetention retention, HistoryWriterSettings writer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    @Provides
    @Singleton
    PostgresHistory history() {
        return new PostgresHistory(settings, retention);
    }

    @Provides
    HistoryReader reader(PostgresHistory history) {
        return history;
    }

    /** Migrated at start, not when built: a start that fails on another dependency leaves no schema behind. */
    @ProvidesIntoSet
    Managed historyPart(PostgresHistory history) {
        return Managed.starting("postgres", Managed.Phase.CONNECTIONS, history::start, history);
    }

    @Provides
    @Singleton
    HistoryWriting writing(HistoryQueueSettings queue, PostgresHistory history, MeterRegistry registry) {
        return new HistoryWriting(queue, writer, history, registry);
    }

    @ProvidesIntoSet
    Managed writingPart(HistoryWriting writing) {
        return writing;
    }

    @ProvidesIntoSet
    HealthCheck health(HistoryWriting writing) {
        return HealthCheck.of("history", writing::health);
    }
}
