package com.relaybox.presence.adapter.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
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
    void settingsCannotBeBuiltWrong() {
        assertThatThrownBy(() -> RedisSettings.of(" ", 6379, false, Optional.empty(), 4)).hasMessageContaining("host");
        assertThatThrownBy(() -> RedisSettings.of("h", 0, false, Optional.empty(), 4)).hasMessageContaining("port");
        assertThatThrownBy(() -> RedisSettings.of("h", 65_536, false, Optional.empty(), 4)).hasMessageContaining("port");
        assertThatThrownBy(() -> RedisSettings.of("h", 6379, false, Optional.of(""), 4)).hasMessageContaining("auth token");
        assertThatThrownBy(() -> RedisSettings.of("h", 6379, false, Optional.empty(), 0)).hasMessageContaining("pool size");
        RedisSettings fine = RedisSettings.of("h", 6379, false, Optional.empty(), 4);
        assertThatThrownBy(() -> fine.withTimeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> fine.withTimeout(Duration.ofDays(30))).hasMessageContaining("timeout");
        assertThatThrownBy(() -> fine.withTombstone(Duration.ofSeconds(-1))).hasMessageContaining("tombstone");
        assertThatThrownBy(() -> fine.withJobMemory(Duration.ofSeconds(Long.MAX_VALUE))).hasMessageContaining("jobMemory");
    }

    @Test
    void theAuthTokenNeverShowsInToString() {
        RedisSettings settings = RedisSettings.of("h", 6379, true, Optional.of("s3cr3t"), 4);

        assertThat(settings.toString()).doesNotContain("s3cr3t").contains("auth=<token>", "tls=true", "host=h");
    }
}
