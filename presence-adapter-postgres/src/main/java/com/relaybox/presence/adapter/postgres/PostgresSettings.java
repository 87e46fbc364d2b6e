package com.relaybox.presence.adapter.postgres;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where history lives and how to reach it. A value that cannot work is refused with an
 * {@link IllegalArgumentException} saying which setting and why; the {@code require...} methods
 * state the rule of one value, for a caller that checks a value before it has the others.
 *
 * @param maxConnections the pool's size, 1 to 1000 (default 10)
 * @param idleTimeout    how long a connection beyond the first may sit idle in the pool before it
 *                       is closed (default 10 s); zero keeps idle connections. The pool cannot go
 *                       below 10 s: shorter values are raised to 10 s.
 * @param tlsDisabled    connect in plain text; otherwise TLS is required ({@code sslmode=require})
 * @param proxyEnabled   the connection goes through a transaction-pooling proxy (RDS Proxy,
 *                       PgBouncer in transaction mode): no named server-side prepared statements
 *                       and no session settings at connect, since the next transaction may run on
 *                       another server connection
 * @param schema         the schema the migrations create and the adapter uses (default {@code presence})
 */
public record PostgresSettings(String host, int port, String database, String user, String password,
                               int maxConnections, Duration idleTimeout, boolean tlsDisabled,
                               boolean proxyEnabled, String schema) {
    public static final int DEFAULT_PORT = 5432;
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** HikariCP replaces a shorter idle timeout with its own default of 10 minutes, not with this floor. */
    public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);
    public static final String DEFAULT_SCHEMA = "presence";

    /** The schema is written into SQL statements, so nothing but a plain identifier may pass. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public PostgresSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (host.isBlank()) throw new IllegalArgumentException("the PostgreSQL host must not be blank");
        if (port < 1 || port > 65_535)
            throw new IllegalArgumentException("the PostgreSQL port must be between 1 and 65535, got " + port);
        if (database.isBlank()) throw new IllegalArgumentException("the database name must not be blank");
        if (user.isBlank()) throw new IllegalArgumentException("the PostgreSQL user must not be blank");
        requireMaxConnections(maxConnections);
        idleTimeout = requireIdleTimeout(idleTimeout);
        requireSchema(schema);
    }

    public static int requireMaxConnections(int maxConnections) {
        if (maxConnections < 1 || maxConnections > 1000)
            throw new IllegalArgumentException("the pool size must be between 1 and 1000, got " + maxConnections);
        return maxConnections;
    }

    /** The idle timeout the pool gets: zero as it is, anything else at least {@link #MIN_IDLE_TIMEOUT}. */
    public static Duration requireIdleTimeout(Duration idleTimeout) {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative())
            throw new IllegalArgumentException("the idle timeout must not be negative, got " + idleTimeout.toMillis() + " ms");
        return idleTimeout.isZero() || idleTimeout.compareTo(MIN_IDLE_TIMEOUT) >= 0 ? idleTimeout : MIN_IDLE_TIMEOUT;
    }

    public static String requireSchema(String schema) {
        Objects.requireNonNull(schema, "schema");
        if (!IDENTIFIER.matcher(schema).matches())
            throw new IllegalArgumentException("the schema must be a lower-case SQL identifier "
                    + "([a-z_][a-z0-9_]*, at most 63 characters), got '" + schema + "'");
        return schema;
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
