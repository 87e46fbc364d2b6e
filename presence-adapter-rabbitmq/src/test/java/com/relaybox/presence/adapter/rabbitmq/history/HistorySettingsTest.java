package com.relaybox.presence.adapter.rabbitmq.history;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistorySettingsTest {
    private static final String URI = "amqp://guest:s3cret@rabbit:5672/presence";

    @Test
    void queueDefaults() {
        HistoryQueueSettings settings = HistoryQueueSettings.fromEnvironment(URI, Map.of());

        assertThat(settings).isEqualTo(new HistoryQueueSettings(URI, "presence-history", "quorum", Duration.ofSeconds(10)));
        assertThat(settings.deadLetterQueue()).isEqualTo("presence-history-dlq");
        assertThat(settings.toString()).doesNotContain("s3cret").contains("guest:***@rabbit");
    }

    @Test
    void queueNameAndTypeAreRead() {
        HistoryQueueSettings settings = HistoryQueueSettings.fromEnvironment(URI,
                Map.of("HISTORY_QUEUE", "history-eu", "RABBIT_MQ_QUEUE_TYPE", "Classic"));

        assertThat(settings.queue()).isEqualTo("history-eu");
        assertThat(settings.queueType()).isEqualTo("classic");
    }

    @Test
    void badQueueSettingsAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> HistoryQueueSettings.fromEnvironment(URI, Map.of("RABBIT_MQ_QUEUE_TYPE", "stream")))
                .hasMessageStartingWith("RABBIT_MQ_QUEUE_TYPE must be 'quorum' or 'classic'");
        assertThatThrownBy(() -> HistoryQueueSettings.fromEnvironment(URI, Map.of("HISTORY_QUEUE", "q".repeat(201))))
                .hasMessageStartingWith("HISTORY_QUEUE must be 1 to 200 characters");
        assertThatThrownBy(() -> HistoryQueueSettings.of("http://rabbit/"))
                .hasMessageContaining("amqp:// or amqps://");
    }

    @Test
    void writerDefaultsAndVariables() {
        assertThat(HistoryWriterSettings.fromEnvironment(Map.of())).isEqualTo(HistoryWriterSettings.defaults());
        HistoryWriterSettings settings = HistoryWriterSettings.fromEnvironment(Map.of("HISTORY_WRITER_BATCH_SIZE", "500",
                "HISTORY_WRITER_MAX_WAIT_MS", "0", "HISTORY_WRITER_PREFETCH", "50"));

        assertThat(settings.batchRecords()).isEqualTo(500);
        assertThat(settings.maxWait()).isZero();
        assertThat(settings.prefetch()).isEqualTo(50);
    }

    @Test
    void badWriterSettingsAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> HistoryWriterSettings.fromEnvironment(Map.of("HISTORY_WRITER_BATCH_SIZE", "0")))
                .hasMessageStartingWith("HISTORY_WRITER_BATCH_SIZE must be between 1 and 100000");
        assertThatThrownBy(() -> HistoryWriterSettings.fromEnvironment(Map.of("HISTORY_WRITER_MAX_WAIT_MS", "soon")))
                .hasMessageStartingWith("HISTORY_WRITER_MAX_WAIT_MS must be a whole number");
        assertThatThrownBy(() -> HistoryWriterSettings.fromEnvironment(Map.of("HISTORY_WRITER_PREFETCH", "70000")))
                .hasMessageStartingWith("HISTORY_WRITER_PREFETCH must be between 1 and 65535");
    }
}
