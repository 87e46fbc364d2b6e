package com.relaybox.presence.adapter.postgres;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresSettingsTest {
    private static final Map<String, String> MINIMAL = Map.of("DB_HOST", "db.internal", "DB_NAME", "relaybox",
            "DB_USER", "presence");

    private static Map<String, String> with(String name, String value) {
        Map<String, String> env = new HashMap<>(MINIMAL);
        env.put(name, value);
        return env;
    }

    @Test
    void defaultsApplyToWhatIsUnset() {
        PostgresSettings settings = PostgresSettings.fromEnvironment(MINIMAL);

        assertThat(settings).isEqualTo(new PostgresSettings("db.internal", 5432, "relaybox", "presence", "", 10,
                Duration.ofSeconds(30), false, false, "presence"));
    }

    @Test
    void everyVariableIsRead() {
        Map<String, String> env = Map.of("DB_HOST", "proxy.aws", "DB_PORT", "6432", "DB_NAME", "rb", "DB_USER", "u",
                "DB_PASSWORD", "s3cret", "DB_MAX_CONNECTIONS", "4", "DB_IDLE_TIMEOUT_MS", "60000",
                "DB_TLS_DISABLED", "TRUE", "DB_PROXY_ENABLED", "true", "DB_SCHEMA", "history_1");

        assertThat(PostgresSettings.fromEnvironment(env)).isEqualTo(new PostgresSettings("proxy.aws", 6432, "rb", "u",
                "s3cret", 4, Duration.ofMinutes(1), true, true, "history_1"));
    }

    @Test
    void anEmptyValueCountsAsUnset() {
        assertThat(PostgresSettings.fromEnvironment(with("DB_PORT", " ")).port()).isEqualTo(5432);
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_HOST", "")))
                .hasMessage("DB_HOST is required");
    }

    @Test
    void aBadValueIsRefusedNamingItsVariable() {
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(Map.of("DB_NAME", "x", "DB_USER", "u")))
                .hasMessage("DB_HOST is required");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(Map.of("DB_HOST", "h", "DB_USER", "u")))
                .hasMessage("DB_NAME is required");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(Map.of("DB_HOST", "h", "DB_NAME", "x")))
                .hasMessage("DB_USER is required");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_PORT", "postgres")))
                .hasMessageStartingWith("DB_PORT must be a whole number");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_PORT", "70000")))
                .hasMessageStartingWith("DB_PORT must be between 1 and 65535");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_MAX_CONNECTIONS", "0")))
                .hasMessageStartingWith("DB_MAX_CONNECTIONS must be between 1");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_IDLE_TIMEOUT_MS", "-1")))
                .hasMessageStartingWith("DB_IDLE_TIMEOUT_MS must be between 0");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_TLS_DISABLED", "yes")))
                .hasMessage("DB_TLS_DISABLED must be true or false, got 'yes'");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_PROXY_ENABLED", "1")))
                .hasMessage("DB_PROXY_ENABLED must be true or false, got '1'");
        assertThatThrownBy(() -> PostgresSettings.fromEnvironment(with("DB_SCHEMA", "Presence; DROP TABLE x")))
                .hasMessageStartingWith("DB_SCHEMA must be a lower-case SQL identifier");
    }

    @Test
    void anIdleTimeoutUnderTenSecondsIsRaisedToTenAndZeroKeepsIdleConnections() {
        assertThat(PostgresSettings.fromEnvironment(with("DB_IDLE_TIMEOUT_MS", "5000")).idleTimeout())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(PostgresSettings.fromEnvironment(with("DB_IDLE_TIMEOUT_MS", "0")).idleTimeout()).isZero();
    }

    @Test
    void thePasswordIsNeverShown() {
        assertThat(PostgresSettings.fromEnvironment(with("DB_PASSWORD", "s3cret")).toString())
                .doesNotContain("s3cret").contains("presence@db.internal:5432/relaybox");
    }

    @Test
    void retentionIsReadInDaysAndZeroKeepsForever() {
        assertThat(HistoryRetention.fromEnvironment(Map.of())).isEqualTo(HistoryRetention.ofDays(30));
        assertThat(HistoryRetention.fromEnvironment(Map.of("HISTORY_RETENTION_DAYS", "7")).days()).isEqualTo(7);
        assertThat(HistoryRetention.fromEnvironment(Map.of("HISTORY_RETENTION_DAYS", "0")).keepsForever()).isTrue();
        assertThatThrownBy(() -> HistoryRetention.fromEnvironment(Map.of("HISTORY_RETENTION_DAYS", "-1")))
                .hasMessageStartingWith("HISTORY_RETENTION_DAYS must be between 0");
        assertThatThrownBy(() -> HistoryRetention.fromEnvironment(Map.of("HISTORY_RETENTION_DAYS", "a month")))
                .hasMessageStartingWith("HISTORY_RETENTION_DAYS must be a whole number");
    }
}
