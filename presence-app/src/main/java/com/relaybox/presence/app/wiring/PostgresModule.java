package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.postgres.HistoryRetention;
import com.relaybox.presence.adapter.postgres.PostgresHistory;
import com.relaybox.presence.adapter.postgres.PostgresSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.config.DbConfig;
import com.relaybox.presence.app.config.Secret;
import com.relaybox.presence.core.port.out.HistoryReader;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;

/**
 * History in PostgreSQL (services mode): read over HTTP, written by the history writer from the
 * outbox queue that {@link RabbitModule} provides.
 */
public final class PostgresModule extends AbstractModule {
    private final DbConfig db;

    public PostgresModule(DbConfig db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Provides
    @Singleton
    PostgresSettings settings() {
        return new PostgresSettings(db.host(), db.port(), db.database(), db.user(),
                db.password().map(Secret::reveal).orElse(""), db.maxConnections(), db.idleTimeout(), !db.tls(),
                db.proxy(), db.schema());
    }

    @Provides
    @Singleton
    PostgresHistory history(PostgresSettings settings) {
        return new PostgresHistory(settings, HistoryRetention.ofDays(db.retentionDays()));
    }

    @Provides
    HistoryReader reader(PostgresHistory history) {
        return history;
    }

    @ProvidesIntoSet
    Managed historyPart(PostgresHistory history) {
        return Managed.closing("postgres", Managed.Phase.CONNECTIONS, history);
    }

    @Provides
    @Singleton
    HistoryWriting writing(HistoryQueueSettings queue, PostgresHistory history, MeterRegistry registry) {
        return new HistoryWriting(queue, history, registry);
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
