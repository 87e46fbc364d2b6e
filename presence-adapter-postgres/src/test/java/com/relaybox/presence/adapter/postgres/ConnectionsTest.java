package com.relaybox.presence.adapter.postgres;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the settings turn into on the driver; nothing here connects. */
class ConnectionsTest {
    private static PGSimpleDataSource source(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("DB_HOST", "db.internal", "DB_NAME", "relaybox", "DB_USER", "presence"));
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return Connections.direct(PostgresSettings.fromEnvironment(env));
    }

    @Test
    void tlsIsRequiredUnlessDisabled() {
        assertThat(source().getSslMode()).isEqualTo("require");
        assertThat(source("DB_TLS_DISABLED", "false").getSslMode()).isEqualTo("require");
        assertThat(source("DB_TLS_DISABLED", "true").getSslMode()).isEqualTo("disable");
    }

    @Test
    void behindAProxyNoServerSidePreparedStatementsAreMade() {
        PGSimpleDataSource direct = source();
        PGSimpleDataSource proxied = source("DB_PROXY_ENABLED", "true");

        assertThat(direct.getPrepareThreshold()).isEqualTo(5);
        assertThat(proxied.getPrepareThreshold()).isZero();
        assertThat(proxied.getAssumeMinServerVersion()).isEqualTo("9.0");
    }

    @Test
    void theAddressAndTimeoutsReachTheDriver() {
        PGSimpleDataSource source = source("DB_PORT", "6432", "DB_PASSWORD", "pw");

        assertThat(source.getServerNames()).containsExactly("db.internal");
        assertThat(source.getPortNumbers()).containsExactly(6432);
        assertThat(source.getDatabaseName()).isEqualTo("relaybox");
        assertThat(source.getUser()).isEqualTo("presence");
        assertThat(source.getPassword()).isEqualTo("pw");
        assertThat(source.getConnectTimeout()).isEqualTo(5);
        assertThat(source.getSocketTimeout()).isEqualTo(30);
        assertThat(source.getTcpKeepAlive()).isTrue();
    }
}
