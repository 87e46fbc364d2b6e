package com.relaybox.presence.adapter.rabbitmq.history;

import com.relaybox.presence.adapter.rabbitmq.QueueType;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistorySettingsTest {
    private static final String URI = "amqp://guest:s3cret@rabbit:5672/presence";

    @Test
    void queueDefaults() {
        HistoryQueueSettings settings = HistoryQueueSettings.of(URI);

        assertThat(settings).isEqualTo(new HistoryQueueSettings(RabbitSettings.of(URI), "presence-history"));
        assertThat(settings.queueType()).isEqualTo(QueueType.QUORUM);
        assertThat(settings.confirmTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.deadLetterQueue()).isEqualTo("presence-history-dlq");
        assertThat(settings.toString()).doesNotContain("s3cret").contains("amqp://guest@rabbit:5672/presence");
    }

    @Test
    void queueNameAndTypeAreKept() {
        HistoryQueueSettings settings = new HistoryQueueSettings(
                RabbitSettings.of(URI).withQueueType(QueueType.CLASSIC), "history-eu");

        assertThat(settings.queue()).isEqualTo("history-eu");
        assertThat(settings.queueType()).isEqualTo(QueueType.CLASSIC);
        assertThat(settings.deadLetterQueue()).isEqualTo("history-eu-dlq");
    }

    @Test
    void badQueueSettingsAreRefusedSayingWhatIsWrong() {
        assertThatThrownBy(() -> QueueType.parse("stream"))
                .hasMessageStartingWith("the queue type must be 'quorum' or 'classic'");
        assertThatThrownBy(() -> new HistoryQueueSettings(RabbitSettings.of(URI), "q".repeat(201)))
                .hasMessageStartingWith("the history queue name must be 1 to 200 characters");
        assertThatThrownBy(() -> new HistoryQueueSettings(RabbitSettings.of(URI), " "))
                .hasMessageStartingWith("the history queue name must be 1 to 200 characters");
        assertThatThrownBy(() -> HistoryQueueSettings.of("http://rabbit/"))
                .hasMessageContaining("amqp:// or amqps://");
    }

    @Test
    void writerDefaultsAndBatching() {
        HistoryWriterSettings defaults = HistoryWriterSettings.defaults();
        assertThat(defaults.batchRecords()).isEqualTo(2_000);
        assertThat(defaults.maxWait()).isEqualTo(Duration.ofMillis(50));
        assertThat(defaults.prefetch()).isEqualTo(200);

        HistoryWriterSettings settings = defaults.withBatch(500, Duration.ZERO);

        assertThat(settings.batchRecords()).isEqualTo(500);
        assertThat(settings.maxWait()).isZero();
        assertThat(settings.prefetch()).isEqualTo(200);
    }

    @Test
    void badWriterSettingsAreRefusedSayingWhatIsWrong() {
        HistoryWriterSettings defaults = HistoryWriterSettings.defaults();
        assertThatThrownBy(() -> defaults.withBatch(0, Duration.ZERO))
                .hasMessage("the history writer's batch size must be between 1 and 100000 records, got 0");
        assertThatThrownBy(() -> defaults.withBatch(100, Duration.ofMillis(10_001)))
                .hasMessage("the history writer's batch wait must be between 0 and 10000 ms, got 10001 ms");
        assertThatThrownBy(() -> new HistoryWriterSettings(100, Duration.ZERO, 70_000, defaults.minBackoff(),
                defaults.maxBackoff(), defaults.closeTimeout()))
                .hasMessage("the history writer's prefetch must be between 1 and 65535 messages, got 70000");
    }
}
