package com.relaybox.presence.adapter.rabbitmq;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RabbitSettingsTest {
    private final RabbitSettings defaults = RabbitSettings.of("amqp://guest:guest@127.0.0.1:5672/");

    @Test
    void defaults() {
        assertThat(defaults.queueCount()).isEqualTo(5);
        assertThat(defaults.queueType()).isEqualTo(QueueType.QUORUM);
        assertThat(defaults.batchSize()).isLessThanOrEqualTo(defaults.prefetch());
        assertThat(defaults.batchMaxWait()).isEqualTo(Duration.ofMillis(2));
        assertThat(defaults.connectionName()).isEqualTo("presence");
    }

    @Test
    void queueTypesAreQuorumOrClassic() {
        assertThat(QueueType.parse("quorum")).isEqualTo(QueueType.QUORUM);
        assertThat(QueueType.parse(" Classic ")).isEqualTo(QueueType.CLASSIC);
        assertThatThrownBy(() -> QueueType.parse("stream"))
                .hasMessage("RABBIT_MQ_QUEUE_TYPE must be 'quorum' or 'classic', got 'stream'");
    }

    @Test
    void valuesThatCannotWorkAreRefusedNamingTheirVariable() {
        assertThatThrownBy(() -> defaults.withQueueCount(0)).hasMessageStartingWith("RABBIT_MQ_QUEUE_COUNT");
        assertThatThrownBy(() -> defaults.withBatching(0, 10, Duration.ZERO)).hasMessageStartingWith("PRESENCE_BATCH_SIZE");
        assertThatThrownBy(() -> defaults.withBatching(100, 50, Duration.ZERO)).hasMessageStartingWith("RABBIT_MQ_PREFETCH");
        assertThatThrownBy(() -> defaults.withBatching(100, 100, Duration.ofMillis(-1)))
                .hasMessageStartingWith("PRESENCE_BATCH_MAX_WAIT_MS");
        assertThatThrownBy(() -> defaults.withConnectionName(" ")).hasMessageStartingWith("RABBIT_MQ_CONNECTION_NAME");
        assertThatThrownBy(() -> defaults.withRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageStartingWith("PRESENCE_RETRY_BACKOFF_MAX_MS");
        assertThatThrownBy(() -> defaults.withConfirmTimeout(Duration.ZERO)).hasMessageStartingWith("RABBIT_MQ_CONFIRM_TIMEOUT_MS");
        assertThatThrownBy(() -> defaults.withShutdownTimeout(Duration.ZERO)).hasMessageStartingWith("PRESENCE_SHUTDOWN_TIMEOUT_MS");
        assertThat(defaults.withBatching(1, 1, Duration.ZERO).batchSize()).isEqualTo(1);
    }

    @Test
    void readsTheEnvironment() {
        RabbitSettings settings = RabbitSettings.fromEnvironment(Map.of(
                "RABBIT_MQ_CONNECTION_STRING", "amqps://u:p@mq:5671/prod",
                "RABBIT_MQ_QUEUE_COUNT", "7",
                "RABBIT_MQ_QUEUE_TYPE", "classic",
                "RABBIT_MQ_PREFETCH", "500",
                "PRESENCE_BATCH_SIZE", "100",
                "PRESENCE_BATCH_MAX_WAIT_MS", "0",
                "RABBIT_MQ_CONNECTION_NAME", "presence-eu",
                "PRESENCE_RETRY_BACKOFF_MAX_MS", "",
                "PRESENCE_SHUTDOWN_TIMEOUT_MS", "20000"));
        assertThat(settings.endpoint()).isEqualTo(new AmqpEndpoint(true, "mq", 5671, "u", "p", "prod"));
        assertThat(settings.queueCount()).isEqualTo(7);
        assertThat(settings.queueType()).isEqualTo(QueueType.CLASSIC);
        assertThat(settings.prefetch()).isEqualTo(500);
        assertThat(settings.batchSize()).isEqualTo(100);
        assertThat(settings.batchMaxWait()).isZero();
        assertThat(settings.connectionName()).isEqualTo("presence-eu");
        assertThat(settings.retryBackoffMax()).isEqualTo(RabbitSettings.DEFAULT_RETRY_BACKOFF_MAX);
        assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(RabbitSettings.fromEnvironment(Map.of("RABBIT_MQ_CONNECTION_STRING", "amqp://h")))
                .isEqualTo(RabbitSettings.of("amqp://h"));
    }

    @Test
    void aMissingOrWrongVariableIsNamed() {
        assertThatThrownBy(() -> RabbitSettings.fromEnvironment(Map.of()))
                .hasMessage("RABBIT_MQ_CONNECTION_STRING is required");
        assertThatThrownBy(() -> RabbitSettings.fromEnvironment(Map.of("RABBIT_MQ_CONNECTION_STRING", "amqp://h",
                "RABBIT_MQ_QUEUE_COUNT", "five"))).hasMessage("RABBIT_MQ_QUEUE_COUNT must be a whole number, got 'five'");
        assertThatThrownBy(() -> RabbitSettings.fromEnvironment(Map.of("RABBIT_MQ_CONNECTION_STRING", "amqp://h",
                "RABBIT_MQ_QUEUE_TYPE", "stream"))).hasMessageStartingWith("RABBIT_MQ_QUEUE_TYPE");
        assertThatThrownBy(() -> RabbitSettings.fromEnvironment(Map.of("RABBIT_MQ_CONNECTION_STRING", "amqp://h",
                "PRESENCE_BATCH_SIZE", "1000"))).hasMessageStartingWith("RABBIT_MQ_PREFETCH must be at least PRESENCE_BATCH_SIZE");
        // 2^32 + 5 would be 5 if it were cast to int
        assertThatThrownBy(() -> RabbitSettings.fromEnvironment(Map.of("RABBIT_MQ_CONNECTION_STRING", "amqp://h",
                "RABBIT_MQ_QUEUE_COUNT", "4294967301"))).hasMessage("RABBIT_MQ_QUEUE_COUNT is out of range, got 4294967301");
    }
}
