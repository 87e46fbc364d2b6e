package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.port.out.JobMemory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSettingsTest {
    @Test
    void defaultsAreRelayBoxs() {
        RedisSettings settings = RedisSettings.of("redis.internal", 6380, true, Optional.of("t"), 9);

        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.tombstone()).isEqualTo(Duration.ofSeconds(600));
        assertThat(settings.jobMemory()).isEqualTo(new JobMemory(Duration.ofHours(24), Duration.ofMinutes(5)));
        assertThat(settings.withTombstone(Duration.ofSeconds(5)).tombstone()).isEqualTo(Duration.ofSeconds(5));
        JobMemory hour = new JobMemory(Duration.ofHours(1), Duration.ofSeconds(30));
        assertThat(settings.withJobMemory(hour).jobMemory()).isEqualTo(hour);
        assertThat(settings.withTimeout(Duration.ofMillis(500)).timeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void settingsCannotBeBuiltWrongAndSayWhichSetting() {
        assertThatThrownBy(() -> RedisSettings.of(" ", 6379, false, Optional.empty(), 4))
                .hasMessage("the Redis host must not be blank or contain spaces, got ' '");
        assertThatThrownBy(() -> RedisSettings.of("h", 0, false, Optional.empty(), 4))
                .hasMessage("the Redis port must be between 1 and 65535, got 0");
        assertThatThrownBy(() -> RedisSettings.of("h", 65_536, false, Optional.empty(), 4))
                .hasMessage("the Redis port must be between 1 and 65535, got 65536");
        assertThatThrownBy(() -> RedisSettings.of("h", 6379, false, Optional.of(""), 4))
                .hasMessage("the Redis auth token, when given, must not be empty");
        assertThatThrownBy(() -> RedisSettings.of("h", 6379, false, Optional.empty(), 0)).hasMessageContaining("pool size");
        RedisSettings fine = RedisSettings.of("h", 6379, false, Optional.empty(), 4);
        assertThatThrownBy(() -> fine.withTimeout(Duration.ZERO)).hasMessageContaining("Redis timeout");
        assertThatThrownBy(() -> fine.withTimeout(Duration.ofDays(30))).hasMessageContaining("Redis timeout");
        assertThatThrownBy(() -> fine.withTombstone(Duration.ofSeconds(-1)))
                .hasMessageStartingWith("the disconnect tombstone must be positive");
        assertThatThrownBy(() -> fine.withJobMemory(null)).hasMessage("jobMemory");
    }

    @Test
    void theAuthTokenNeverShowsInToString() {
        RedisSettings settings = RedisSettings.of("h", 6379, true, Optional.of("s3cr3t"), 4);

        assertThat(settings.toString()).doesNotContain("s3cr3t").contains("auth=<token>", "tls=true", "h:6379");
    }

    @Test
    void noReplicaIsWaitedForUnlessAskedAndTheWaitIsBounded() {
        RedisSettings fine = RedisSettings.of("h", 6379, false, Optional.empty(), 4);
        assertThat(fine.replicaWait()).isEqualTo(RedisSettings.ReplicaWait.NONE);
        assertThat(fine.withReplicaWait(new RedisSettings.ReplicaWait(1, Duration.ofMillis(250))).replicaWait().replicas())
                .isEqualTo(1);
        assertThatThrownBy(() -> new RedisSettings.ReplicaWait(-1, Duration.ofSeconds(1)))
                .hasMessage("the replicas to wait for must be between 0 and 10, got -1");
        assertThatThrownBy(() -> new RedisSettings.ReplicaWait(11, Duration.ofSeconds(1)))
                .hasMessage("the replicas to wait for must be between 0 and 10, got 11");
        // WAIT 1 0 would block for ever: a batch must fail and be retried instead.
        assertThatThrownBy(() -> new RedisSettings.ReplicaWait(1, Duration.ZERO))
                .hasMessage("the replica wait timeout must be between 1 and 60000 ms, got 0");
        assertThatThrownBy(() -> new RedisSettings.ReplicaWait(1, Duration.ofMillis(60_001)))
                .hasMessage("the replica wait timeout must be between 1 and 60000 ms, got 60001");
    }
}
