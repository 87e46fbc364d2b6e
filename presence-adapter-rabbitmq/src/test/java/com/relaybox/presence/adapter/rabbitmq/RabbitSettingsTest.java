package com.relaybox.presence.adapter.rabbitmq;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

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
        assertThat(defaults.addresses()).containsExactly(new BrokerAddress("127.0.0.1", 5672));
        assertThat(defaults.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.quorumInitialGroupSize()).isZero();
    }

    @Test
    void theHeartbeatIsWholeSecondsAndTheGroupSizeNeedsQuorumQueues() {
        assertThatThrownBy(() -> defaults.withHeartbeat(Duration.ZERO))
                .hasMessage("the heartbeat must be 1 to 60 whole seconds, got 0 ms");
        assertThatThrownBy(() -> defaults.withHeartbeat(Duration.ofMillis(1500)))
                .hasMessage("the heartbeat must be 1 to 60 whole seconds, got 1500 ms");
        assertThatThrownBy(() -> defaults.withHeartbeat(Duration.ofSeconds(61)))
                .hasMessage("the heartbeat must be 1 to 60 whole seconds, got 61000 ms");
        assertThatThrownBy(() -> defaults.withQuorumInitialGroupSize(-1))
                .hasMessage("the quorum initial group size must be between 1 and 100 (0: the broker's default), got -1");
        assertThatThrownBy(() -> defaults.withQueueType(QueueType.CLASSIC).withQuorumInitialGroupSize(3))
                .hasMessage("the quorum initial group size applies to quorum queues only, but the queue type is classic");
        assertThatThrownBy(() -> defaults.withQuorumInitialGroupSize(3).withQueueType(QueueType.CLASSIC))
                .hasMessage("the quorum initial group size applies to quorum queues only, but the queue type is classic");
        assertThatThrownBy(() -> defaults.withAddresses(List.of()))
                .hasMessage("the RabbitMQ address list must name a node");
    }

    @Test
    void queueTypesAreQuorumOrClassic() {
        assertThat(QueueType.parse("quorum")).isEqualTo(QueueType.QUORUM);
        assertThat(QueueType.parse(" Classic ")).isEqualTo(QueueType.CLASSIC);
        assertThatThrownBy(() -> QueueType.parse("stream"))
                .hasMessage("the queue type must be 'quorum' or 'classic', got 'stream'");
    }

    @Test
    void valuesThatCannotWorkAreRefusedNamingTheirSetting() {
        assertThatThrownBy(() -> defaults.withQueueCount(0))
                .hasMessage("the queue count must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> defaults.withQueueCount(1001))
                .hasMessage("the queue count must be between 1 and 1000, got 1001");
        assertThatThrownBy(() -> defaults.withBatching(0, 10, Duration.ZERO))
                .hasMessage("the batch size must be between 1 and 10000, got 0");
        assertThatThrownBy(() -> defaults.withBatching(10_001, 20_000, Duration.ZERO))
                .hasMessage("the batch size must be between 1 and 10000, got 10001");
        assertThatThrownBy(() -> defaults.withBatching(100, 50, Duration.ZERO))
                .hasMessage("the prefetch must be at least the batch size (100) and at most 65535, got 50");
        assertThatThrownBy(() -> defaults.withBatching(100, 65_536, Duration.ZERO))
                .hasMessage("the prefetch must be at least the batch size (100) and at most 65535, got 65536");
        assertThatThrownBy(() -> defaults.withBatching(100, 100, Duration.ofMillis(-1)))
                .hasMessage("the batch wait must be between 0 and 1000 ms, got -1 ms");
        assertThatThrownBy(() -> defaults.withBatching(100, 100, Duration.ofMillis(1001)))
                .hasMessage("the batch wait must be between 0 and 1000 ms, got 1001 ms");
        assertThatThrownBy(() -> defaults.withConnectionName(" "))
                .hasMessage("the RabbitMQ connection name must be non-empty");
        assertThatThrownBy(() -> defaults.withRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("the retry backoff cap must be at least the first retry backoff (2000 ms), got 1000 ms");
        assertThatThrownBy(() -> defaults.withConfirmTimeout(Duration.ZERO))
                .hasMessage("the publish confirm timeout must be positive, got 0 ms");
        assertThatThrownBy(() -> defaults.withShutdownTimeout(Duration.ZERO))
                .hasMessage("the consumer shutdown timeout must be positive, got 0 ms");
        assertThat(defaults.withBatching(1, 1, Duration.ZERO).batchSize()).isEqualTo(1);
        assertThat(defaults.withBatching(10_000, 65_535, Duration.ofSeconds(1)).prefetch()).isEqualTo(65_535);
    }

    @Test
    void eachRuleCanBeAskedAboutOneValue() {
        assertThat(RabbitSettings.requireQueueCount(1000)).isEqualTo(1000);
        assertThat(RabbitSettings.requireBatchSize(1)).isEqualTo(1);
        assertThat(RabbitSettings.requirePrefetch(200, 200)).isEqualTo(200);
        assertThat(RabbitSettings.requireBatchMaxWait(Duration.ZERO)).isZero();
        assertThatThrownBy(() -> RabbitSettings.requirePrefetch(199, 200))
                .hasMessage("the prefetch must be at least the batch size (200) and at most 65535, got 199");
    }

    @Test
    void theGroupSizeIsKeptWithTheQuorumType() {
        assertThat(defaults.withQuorumInitialGroupSize(3).withQueueType(QueueType.QUORUM).quorumInitialGroupSize())
                .isEqualTo(3);
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
                .withShutdownTimeout(Duration.ofSeconds(20))
                .withAddresses(List.of(new BrokerAddress("mq-1", 5671), new BrokerAddress("mq-2", 5671)))
                .withHeartbeat(Duration.ofSeconds(5));
        // withBatching takes (batchSize, prefetch); the record keeps (prefetch, batchSize).
        assertThat(settings).isEqualTo(new RabbitSettings(new AmqpEndpoint(true, "mq", 5671, "u", "p", "prod"),
                List.of(new BrokerAddress("mq-1", 5671), new BrokerAddress("mq-2", 5671)), Duration.ofSeconds(5), 7,
                QueueType.CLASSIC, 0, 500, 100, Duration.ZERO, "presence-eu", Duration.ofSeconds(3), Duration.ofMillis(50),
                Duration.ofSeconds(2), Duration.ofSeconds(20)));
    }
}
