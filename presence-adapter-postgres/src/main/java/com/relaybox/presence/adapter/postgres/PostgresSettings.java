package com.relaybox.presence.adapter.postgres;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where history lives and how to reach it. The app reads the environment and builds these; an
 * error names the variable a value comes from.
 *
 * @param maxConnections the pool's size
 * @param idleTimeout    how long a connection beyond the first may sit idle in the pool before it
 *                       is closed; zero keeps idle connections. The pool cannot go below 10 s:
 *                       shorter values are raised to 10 s.
 * @param tlsDisabled    connect in plain text; otherwise TLS is required ({@code sslmode=require})
 * @param proxyEnabled   the connection goes through a transaction-pooling proxy (RDS Proxy,
 *                       PgBouncer in transaction mode): no named server-side prepared statements
 *                       and no session settings at connect, since the next transaction may run on
 *                       another server connection
 * @param schema         the schema the migrations create and the adapter uses ({@code PRESENCE_DB_SCHEMA})
 */
public record PostgresSettings(String host, int port, String database, String user, String password,
                               int maxConnections, Duration idleTimeout, boolean tlsDisabled,
                               boolean proxyEnabled, String schema) {
    public static final int DEFAULT_PORT = 5432;
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public PostgresSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(schema, "schema");
        if (host.isBlank()) throw new IllegalArgumentException("DB_HOST must not be blank");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("DB_PORT must be between 1 and 65535, got " + port);
        if (database.isBlank()) throw new IllegalArgumentException("DB_NAME must not be blank");
        if (user.isBlank()) throw new IllegalArgumentException("DB_USER must not be blank");
        if (maxConnections < 1)
            throw new IllegalArgumentException("DB_MAX_CONNECTIONS must be at least 1, got " + maxConnections);
        if (idleTimeout.isNegative())
            throw new IllegalArgumentException("DB_IDLE_TIMEOUT_MS must not be negative, got " + idleTimeout.toMillis());
        if (!idleTimeout.isZero() && idleTimeout.compareTo(MIN_IDLE_TIMEOUT) < 0) idleTimeout = MIN_IDLE_TIMEOUT;
        if (!IDENTIFIER.matcher(schema).matches())
            throw new IllegalArgumentException("PRESENCE_DB_SCHEMA must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63), got '"
                    + schema + "'");
    }

    /** Settings for a server on this machine with the defaults, for tests and local runs. */
    public static PostgresSettings local(String database, String user, String schema) {
        return new PostgresSettings("127.0.0.1", DEFAULT_PORT, database, user, "", DEFAULT_MAX_CONNECTIONS,
                DEFAULT_IDLE_TIMEOUT, true, false, schema);
    }

    public PostgresSettings withSchema(String otherSchema) {
        return new PostgresSettings(host, port, database, user, password, maxConnections, idleTimeout, tlsDisabled,
                proxyEnabled, otherSchema);
    }

    public PostgresSettings withAddress(String otherHost, int otherPort) {
        return new PostgresSettings(otherHost, otherPort, database, user, password, maxConnections, idleTimeout,
                tlsDisabled, proxyEnabled, schema);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "PostgresSettings[" + user + "@" + host + ":" + port + "/" + database + ", schema=" + schema
                + ", maxConnections=" + maxConnections + ", idleTimeout=" + idleTimeout.toMillis() + "ms, tls="
                + (tlsDisabled ? "off" : "required") + ", proxy=" + proxyEnabled + "]";
    }
}
