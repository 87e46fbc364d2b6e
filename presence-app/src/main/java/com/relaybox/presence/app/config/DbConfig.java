package com.relaybox.presence.app.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * PostgreSQL, for history.
 *
 * @param proxy         {@code DB_PROXY_ENABLED}: connecting through a connection-pooling proxy
 * @param schema        {@code PRESENCE_DB_SCHEMA}: the schema history lives in
 * @param retentionDays {@code PRESENCE_HISTORY_RETENTION_DAYS}: history older than this is deleted
 */
public record DbConfig(String host, int port, String database, String user, Optional<Secret> password,
                       int maxConnections, Duration idleTimeout, boolean tls, boolean proxy, String schema,
                       int retentionDays) {
    public DbConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(schema, "schema");
    }
}
