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
    void aBadValueIsRefusedNamingItsVariable() {
        Duration idle = Duration.ofSeconds(10);
        assertThatThrownBy(() -> settings(" ", 5432, "x", "u", 10, idle, "presence"))
                .hasMessage("DB_HOST must not be blank");
        assertThatThrownBy(() -> settings("h", 0, "x", "u", 10, idle, "presence"))
                .hasMessage("DB_PORT must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> settings("h", 70_000, "x", "u", 10, idle, "presence"))
                .hasMessage("DB_PORT must be between 1 and 65535, got 70000");
        assertThatThrownBy(() -> settings("h", 5432, "", "u", 10, idle, "presence"))
                .hasMessage("DB_NAME must not be blank");
        assertThatThrownBy(() -> settings("h", 5432, "x", " ", 10, idle, "presence"))
                .hasMessage("DB_USER must not be blank");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 0, idle, "presence"))
                .hasMessage("DB_MAX_CONNECTIONS must be at least 1, got 0");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 10, Duration.ofMillis(-1), "presence"))
                .hasMessage("DB_IDLE_TIMEOUT_MS must not be negative, got -1");
        assertThatThrownBy(() -> settings("h", 5432, "x", "u", 10, idle, "Presence; DROP TABLE x"))
                .hasMessageStartingWith("PRESENCE_DB_SCHEMA must be a lower-case SQL identifier");
    }

    @Test
    void anIdleTimeoutUnderTenSecondsIsRaisedToTenAndZeroKeepsIdleConnections() {
        assertThat(withIdleTimeout(Duration.ofSeconds(5)).idleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(withIdleTimeout(Duration.ofSeconds(60)).idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(withIdleTimeout(Duration.ZERO).idleTimeout()).isZero();
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
        assertThatThrownBy(() -> HistoryRetention.ofDays(-1))
                .hasMessage("PRESENCE_HISTORY_RETENTION_DAYS must not be negative, got -1");
    }
}
