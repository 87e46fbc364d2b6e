package com.relaybox.presence.adapter.rabbitmq;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RabbitSettingsTest {
    private final RabbitSettings defaults = RabbitSettings.of("amqp://guest:guest@127.0.0.1:5672/");

    @Test
    void defaults() {
        assertThat(defaults.queueCount()).isEqualTo(5);
        assertThat(defaults.queueType()).isEqualTo(QueueType.QUORUM);
        assertThat(defaults.batchSize()).isLessThanOrEqualTo(defaults.prefetch());
        assertThat(defaults.batchMaxWait()).isEqualTo(Duration.ZERO);
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
    void valuesThatCannotWorkAreRefusedNamingTheirVariableOrSetting() {
        assertThatThrownBy(() -> defaults.withQueueCount(0)).hasMessageStartingWith("RABBIT_MQ_QUEUE_COUNT");
        assertThatThrownBy(() -> defaults.withBatching(0, 10, Duration.ZERO)).hasMessageStartingWith("PRESENCE_BATCH_SIZE");
        assertThatThrownBy(() -> defaults.withBatching(100, 50, Duration.ZERO)).hasMessageStartingWith("RABBIT_MQ_PREFETCH");
        assertThatThrownBy(() -> defaults.withBatching(100, 100, Duration.ofMillis(-1)))
                .hasMessageStartingWith("PRESENCE_BATCH_MAX_WAIT_MS");
        assertThatThrownBy(() -> defaults.withConnectionName(" "))
                .hasMessage("the RabbitMQ connection name must be non-empty");
        assertThatThrownBy(() -> defaults.withRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("the retry backoff cap must be at least the first retry backoff (2000 ms), got 1000 ms");
        assertThatThrownBy(() -> defaults.withConfirmTimeout(Duration.ZERO))
                .hasMessage("the publish confirm timeout must be positive, got 0 ms");
        assertThatThrownBy(() -> defaults.withShutdownTimeout(Duration.ZERO))
                .hasMessage("the consumer shutdown timeout must be positive, got 0 ms");
        assertThat(defaults.withBatching(1, 1, Duration.ZERO).batchSize()).isEqualTo(1);
    }

    @Test
    void eachWithChangesItsOwnValues() {
        RabbitSettings settings = RabbitSettings.of("amqps://u:p@mq:5671/prod")
                .withQueueCount(7)
                .withQueueType(QueueType.CLASSIC)
                .withBatching(100, 500, Duration.ZERO)
                .withConnectionName("presence-eu")
                .withConfirmTimeout(Duration.ofSeconds(3))
                .withRetryBackoff(Duration.ofMillis(50), Duration.ofSeconds(2))
                .withShutdownTimeout(Duration.ofSeconds(20));
        // withBatching takes (batchSize, prefetch); the record keeps (prefetch, batchSize).
        assertThat(settings).isEqualTo(new RabbitSettings(new AmqpEndpoint(true, "mq", 5671, "u", "p", "prod"), 7,
                QueueType.CLASSIC, 500, 100, Duration.ZERO, "presence-eu", Duration.ofSeconds(3), Duration.ofMillis(50),
                Duration.ofSeconds(2), Duration.ofSeconds(20)));
    }
}
