package com.relaybox.presence.adapter.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

/** Builds the driver's data source and the pool from the settings. */
final class Connections {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A query that gets no answer for this long fails, so a black-holed server cannot hang the writer. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);
    /** How long a caller waits for a pooled connection before it is told the database is unavailable. */
    static final Duration POOL_WAIT = Duration.ofSeconds(3);

    private Connections() {
    }

    /** Unpooled connections: the pool's source, and the migrations' (which close theirs when done). */
    static PGSimpleDataSource direct(PostgresSettings settings) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[]{settings.host()});
        source.setPortNumbers(new int[]{settings.port()});
        source.setDatabaseName(settings.database());
        source.setUser(settings.user());
        source.setPassword(settings.password());
        source.setApplicationName("presence");
        source.setSslMode(settings.tlsDisabled() ? "disable" : "require");
        source.setConnectTimeout((int) CONNECT_TIMEOUT.toSeconds());
        source.setSocketTimeout((int) SOCKET_TIMEOUT.toSeconds());
        source.setTcpKeepAlive(true);
        if (settings.proxyEnabled()) {
            // A transaction-pooling proxy may run each transaction on another server connection:
            // named server-side prepared statements would be missing there (PgBouncer) or pin the
            // client to one server connection (RDS Proxy). Unnamed statements only.
            source.setPrepareThreshold(0);
            // Send extra_float_digits in the startup packet instead of a SET after connecting,
            // which RDS Proxy counts as session state and pins.
            source.setAssumeMinServerVersion("9.0");
        }
        return source;
    }

    static HikariDataSource pool(PostgresSettings settings, PGSimpleDataSource direct) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("presence-history");
        config.setDataSource(direct);
        config.setMaximumPoolSize(settings.maxConnections());
        config.setMinimumIdle(Math.min(1, settings.maxConnections()));
        config.setIdleTimeout(settings.idleTimeout().toMillis());
        config.setConnectionTimeout(POOL_WAIT.toMillis());
        // Start even when the database is down: history waits in the queue meanwhile.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }
}
