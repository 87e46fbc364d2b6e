package com.relaybox.presence.adapter.postgres;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresSettingsTest {
    private static PostgresSettings settings(String host, int port, String database, String user, int maxConnections,
                                             Duration idleTimeout, String schema) {
        return new PostgresSettings(host, port, database, user, "s3cret", maxConnections, idleTimeout, false, false,
                schema);
    }

    private static PostgresSettings withIdleTimeout(Duration idleTimeout) {
        return settings("db.internal", 5432, "relaybox", "presence", 10, idleTimeout, "presence");
    }

    @Test
    void aBadValueIsRefusedNamingItsSetting() {
        Duration idle = Duration.ofSeconds(10);
        assertThatThrownBy(() -> settings(" ", 5432, "x", "u", 10, idle, "presence"))
                .hasMessage("the PostgreSQL host must not be blank");
        assertThatThrownBy(() -> settings("h", 0, "x", "u", 10, idle, "presence"))
                .hasMessage("the PostgreSQL port must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> settings("h", 70_000, "x", "u", 10, idle, "presence"))
                .hasMessage("the PostgreSQL port must be between 1 and 65535, got 70000");
        assertThatThrownBy(() -> settings("h", 5432, "", "u", 10, idle, "presence"))
                .hasMessage("the database name must not be blank");
        assertThatThrownBy(() -> settings("h", 5432, "x", " ", 10, idle, "presence"))
                .hasMessage("the PostgreSQL user must not be blank");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 0, idle, "presence"))
                .hasMessage("the pool size must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 1001, idle, "presence"))
                .hasMessage("the pool size must be between 1 and 1000, got 1001");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 10, Duration.ofMillis(-1), "presence"))
                .hasMessage("the idle timeout must not be negative, got -1 ms");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 10, idle, "Presence; DROP TABLE x"))
                .hasMessage("the schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), "
                        + "got 'Presence; DROP TABLE x'");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 10, idle, "p".repeat(64)))
                .hasMessageStartingWith("the schema must be a lower-case SQL identifier");
        assertThat(settings("h", 5432, "x", "u", 1000, idle, "_p" + "0".repeat(61)).maxConnections()).isEqualTo(1000);
    }

    @Test
    void anIdleTimeoutUnderTenSecondsIsRaisedToTenAndZeroKeepsIdleConnections() {
        assertThat(withIdleTimeout(Duration.ofSeconds(5)).idleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(withIdleTimeout(Duration.ofSeconds(60)).idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(withIdleTimeout(Duration.ZERO).idleTimeout()).isZero();
        assertThat(PostgresSettings.requireIdleTimeout(Duration.ofMillis(1))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theDefaultIdleTimeoutIsTheFloor() {
        assertThat(PostgresSettings.local("test", "postgres", "presence").idleTimeout())
                .isEqualTo(PostgresSettings.DEFAULT_IDLE_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void thePasswordIsNeverShown() {
        assertThat(withIdleTimeout(Duration.ofSeconds(10)).toString())
                .doesNotContain("s3cret").contains("presence@db.internal:5432/relaybox");
    }

    @Test
    void retentionIsCountedInDaysAndZeroKeepsForever() {
        assertThat(HistoryRetention.ofDays(7).days()).isEqualTo(7);
        assertThat(HistoryRetention.ofDays(7).keepsForever()).isFalse();
        assertThat(HistoryRetention.ofDays(0).keepsForever()).isTrue();
        assertThat(HistoryRetention.ofDays(36_500).days()).isEqualTo(36_500);
        assertThatThrownBy(() -> HistoryRetention.ofDays(-1))
                .hasMessage("the retention must be between 0 and 36500 days, got -1");
        assertThatThrownBy(() -> HistoryRetention.ofDays(36_501))
                .hasMessage("the retention must be between 0 and 36500 days, got 36501");
    }
}
