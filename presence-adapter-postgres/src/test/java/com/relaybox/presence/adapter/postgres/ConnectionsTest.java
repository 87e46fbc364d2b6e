package com.relaybox.presence.adapter.postgres;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What the settings turn into on the driver; nothing here connects. */
class ConnectionsTest {
    private static PGSimpleDataSource source(int port, String password, boolean tlsDisabled, boolean proxyEnabled) {
        return Connections.direct(new PostgresSettings("db.internal", port, "relaybox", "presence", password, 10,
                Duration.ofSeconds(10), tlsDisabled, proxyEnabled, "presence"));
    }

    private static PGSimpleDataSource source(boolean tlsDisabled, boolean proxyEnabled) {
        return source(5432, "", tlsDisabled, proxyEnabled);
    }

    @Test
    void tlsIsRequiredUnlessDisabled() {
        assertThat(source(false, false).getSslMode()).isEqualTo("require");
        assertThat(source(true, false).getSslMode()).isEqualTo("disable");
    }

    @Test
    void behindAProxyNoServerSidePreparedStatementsAreMade() {
        PGSimpleDataSource direct = source(false, false);
        PGSimpleDataSource proxied = source(false, true);

        assertThat(direct.getPrepareThreshold()).isEqualTo(5);
        assertThat(proxied.getPrepareThreshold()).isZero();
        assertThat(proxied.getAssumeMinServerVersion()).isEqualTo("9.0");
    }

    @Test
    void theAddressAndTimeoutsReachTheDriver() {
        PGSimpleDataSource source = source(6432, "pw", false, false);

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
