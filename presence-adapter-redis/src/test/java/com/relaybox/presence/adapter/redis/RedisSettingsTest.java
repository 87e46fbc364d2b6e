package com.relaybox.presence.adapter.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSettingsTest {

    @Test
    void redisAuthIsAJsonObjectWithAnAuthToken() {
        assertThat(RedisSettings.parseRedisAuth("{\"authToken\": \"s3cr3t-t0ken\"}")).contains("s3cr3t-t0ken");
        assertThat(RedisSettings.parseRedisAuth(" {\"authToken\":\"a\\\"b\"} ")).contains("a\"b");
    }

    @Test
    void noRedisAuthMeansNoAuth() {
        assertThat(RedisSettings.parseRedisAuth(null)).isEmpty();
        assertThat(RedisSettings.parseRedisAuth("")).isEmpty();
        assertThat(RedisSettings.parseRedisAuth("  ")).isEmpty();
        assertThat(RedisSettings.parseRedisAuth("{}")).isEmpty();
        assertThat(RedisSettings.parseRedisAuth("{\"authToken\": null}")).isEmpty();
        assertThat(RedisSettings.parseRedisAuth("{\"authToken\": \"\"}")).isEmpty();
    }

    @Test
    void malformedRedisAuthIsAClearErrorThatNeverShowsTheSecret() {
        assertThatThrownBy(() -> RedisSettings.parseRedisAuth("{\"authToken\": \"s3cr3t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("REDIS_AUTH is not valid JSON; expected {\"authToken\": \"...\"}")
                .hasNoCause();
        assertThatThrownBy(() -> RedisSettings.parseRedisAuth("s3cr3t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("REDIS_AUTH must be a JSON object {\"authToken\": \"...\"}, got a JSON string");
        assertThatThrownBy(() -> RedisSettings.parseRedisAuth("[\"s3cr3t\"]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("REDIS_AUTH must be a JSON object {\"authToken\": \"...\"}, got a JSON array");
        assertThatThrownBy(() -> RedisSettings.parseRedisAuth("{\"authToken\": 12345}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("REDIS_AUTH.authToken must be a string, got a JSON number");
        assertThatThrownBy(() -> RedisSettings.parseRedisAuth("{\"authToken\": {\"value\": \"s3cr3t\"}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("REDIS_AUTH.authToken must be a string, got a JSON object");
    }

    @Test
    void defaultsAreRelayBoxs() {
        RedisSettings settings = RedisSettings.of("redis.internal", 6380, true, Optional.of("t"), 9);

        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.tombstone()).isEqualTo(Duration.ofSeconds(600));
        assertThat(settings.jobMemory()).isEqualTo(Duration.ofHours(24));
        assertThat(settings.withTombstone(Duration.ofSeconds(5)).tombstone()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.withJobMemory(Duration.ofHours(1)).jobMemory()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.withTimeout(Duration.ofMillis(500)).timeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void settingsCannotBeBuiltWrongAndSayWhichVariableIsWrong() {
        assertThatThrownBy(() -> RedisSettings.of(" ", 6379, false, Optional.empty(), 4)).hasMessageContaining("REDIS_HOST");
        assertThatThrownBy(() -> RedisSettings.of("h", 0, false, Optional.empty(), 4)).hasMessageContaining("REDIS_PORT");
        assertThatThrownBy(() -> RedisSettings.of("h", 65_536, false, Optional.empty(), 4)).hasMessageContaining("REDIS_PORT");
        assertThatThrownBy(() -> RedisSettings.of("h", 6379, false, Optional.of(""), 4)).hasMessageContaining("REDIS_AUTH");
        assertThatThrownBy(() -> RedisSettings.of("h", 6379, false, Optional.empty(), 0)).hasMessageContaining("REDIS_POOL_SIZE");
        RedisSettings fine = RedisSettings.of("h", 6379, false, Optional.empty(), 4);
        assertThatThrownBy(() -> fine.withTimeout(Duration.ZERO)).hasMessageContaining("REDIS_TIMEOUT_MS");
        assertThatThrownBy(() -> fine.withTimeout(Duration.ofDays(30))).hasMessageContaining("REDIS_TIMEOUT_MS");
        assertThatThrownBy(() -> fine.withTombstone(Duration.ofSeconds(-1))).hasMessageContaining("PRESENCE_DISCONNECT_TOMBSTONE_S");
        assertThatThrownBy(() -> fine.withJobMemory(Duration.ofSeconds(Long.MAX_VALUE))).hasMessageContaining("PRESENCE_JOB_MEMORY_S");
    }

    @Test
    void theEnvironmentGivesEverySettingWithRelayBoxsDefaults() {
        RedisSettings settings = RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "redis.internal"));

        assertThat(settings).isEqualTo(new RedisSettings("redis.internal", 6379, true, Optional.empty(), 16,
                Duration.ofSeconds(2), Duration.ofSeconds(600), Duration.ofHours(24)));
        assertThat(RedisSettings.fromEnvironment(Map.of(
                "REDIS_HOST", "127.0.0.1", "REDIS_PORT", "6380", "REDIS_TLS_DISABLED", "true",
                "REDIS_AUTH", "{\"authToken\": \"t0ken\"}", "REDIS_POOL_SIZE", "9", "REDIS_TIMEOUT_MS", "750",
                "PRESENCE_DISCONNECT_TOMBSTONE_S", "30", "PRESENCE_JOB_MEMORY_S", "3600")))
                .isEqualTo(new RedisSettings("127.0.0.1", 6380, false, Optional.of("t0ken"), 9,
                        Duration.ofMillis(750), Duration.ofSeconds(30), Duration.ofHours(1)));
        assertThat(RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h", "REDIS_AUTH", " ", "REDIS_PORT", "")))
                .as("an empty value counts as unset").isEqualTo(RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h")));
    }

    @Test
    void aBadEnvironmentStopsTheServiceNamingTheVariable() {
        assertThatThrownBy(() -> RedisSettings.fromEnvironment(Map.of())).hasMessage("REDIS_HOST is required");
        assertThatThrownBy(() -> RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h", "REDIS_PORT", "63 79")))
                .hasMessage("REDIS_PORT must be a whole number, got '63 79'");
        assertThatThrownBy(() -> RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h", "REDIS_TLS_DISABLED", "yes")))
                .hasMessage("REDIS_TLS_DISABLED must be true or false, got 'yes'");
        assertThatThrownBy(() -> RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h", "REDIS_POOL_SIZE", "0")))
                .hasMessage("REDIS_POOL_SIZE must be between 1 and 10000, got 0");
        assertThatThrownBy(() -> RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h", "PRESENCE_JOB_MEMORY_S", "-5")))
                .hasMessageContaining("PRESENCE_JOB_MEMORY_S");
        assertThatThrownBy(() -> RedisSettings.fromEnvironment(Map.of("REDIS_HOST", "h", "REDIS_AUTH", "{\"authToken\": \"s3cr3t")))
                .hasMessageContaining("REDIS_AUTH").hasMessageNotContaining("s3cr3t");
    }

    @Test
    void theAuthTokenNeverShowsInToString() {
        RedisSettings settings = RedisSettings.of("h", 6379, true, Optional.of("s3cr3t"), 4);

        assertThat(settings.toString()).doesNotContain("s3cr3t").contains("auth=<token>", "tls=true", "host=h");
    }
}
