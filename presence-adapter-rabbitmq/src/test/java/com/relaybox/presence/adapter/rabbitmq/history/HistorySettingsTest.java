package com.relaybox.presence.adapter.rabbitmq.history;

import com.relaybox.presence.adapter.rabbitmq.QueueType;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistorySettingsTest {
    private static final String URI = "amqp://guest:s3cret@rabbit:5672/presence";

    /** The connection string and the given variables. */
    private static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>(Map.of("RABBIT_MQ_CONNECTION_STRING", URI));
        for (int i = 0; i < namesAndValues.length; i += 2) env.put(namesAndValues[i], namesAndValues[i + 1]);
        return env;
    }

    @Test
    void queueDefaults() {
        HistoryQueueSettings settings = HistoryQueueSettings.fromEnvironment(env());

        assertThat(settings).isEqualTo(new HistoryQueueSettings(RabbitSettings.of(URI), "presence-history"));
        assertThat(settings.queueType()).isEqualTo(QueueType.QUORUM);
        assertThat(settings.confirmTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.deadLetterQueue()).isEqualTo("presence-history-dlq");
        assertThat(settings.toString()).doesNotContain("s3cret").contains("amqp://guest@rabbit:5672/presence");
    }

    @Test
    void queueNameAndTypeAreRead() {
        HistoryQueueSettings settings = HistoryQueueSettings.fromEnvironment(
                env("HISTORY_QUEUE", "history-eu", "RABBIT_MQ_QUEUE_TYPE", "Classic"));

        assertThat(settings.queue()).isEqualTo("history-eu");
        assertThat(settings.queueType()).isEqualTo(QueueType.CLASSIC);
    }

    @Test
    void badQueueSettingsAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> HistoryQueueSettings.fromEnvironment(env("RABBIT_MQ_QUEUE_TYPE", "stream")))
                .hasMessageStartingWith("RABBIT_MQ_QUEUE_TYPE must be 'quorum' or 'classic'");
        assertThatThrownBy(() -> HistoryQueueSettings.fromEnvironment(env("HISTORY_QUEUE", "q".repeat(201))))
                .hasMessageStartingWith("HISTORY_QUEUE must be 1 to 200 characters");
        assertThatThrownBy(() -> HistoryQueueSettings.fromEnvironment(Map.of()))
                .hasMessage("RABBIT_MQ_CONNECTION_STRING is required");
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
