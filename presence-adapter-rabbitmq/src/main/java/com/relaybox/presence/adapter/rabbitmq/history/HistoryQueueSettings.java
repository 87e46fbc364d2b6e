package com.relaybox.presence.adapter.rabbitmq.history;

import com.relaybox.presence.adapter.rabbitmq.QueueType;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;

import java.time.Duration;
import java.util.Objects;

/**
 * The durable queue that carries history records from the presence path to the history writer.
 *
 * @param rabbit the broker and how this module talks to it, as for the jobs: its endpoint, the
 *               connection name, the queue type (the job queues', for the history queue too) and
 *               how long {@code record} waits for the broker's confirm; its job settings are not
 *               used here
 * @param queue  the queue's name (default {@code presence-history}); undecodable messages go to
 *               {@code <queue>-dlq}
 */
public record HistoryQueueSettings(RabbitSettings rabbit, String queue) {
    public static final String DEFAULT_QUEUE = "presence-history";

    public HistoryQueueSettings {
        Objects.requireNonNull(rabbit, "rabbit");
        Objects.requireNonNull(queue, "queue");
        if (queue.isBlank() || queue.length() > 200)
            throw new IllegalArgumentException("the history queue name must be 1 to 200 characters, got '" + queue + "'");
    }

    /** The default queue on the broker of {@code connectionString}, with the defaults of {@link RabbitSettings#of(String)}. */
    public static HistoryQueueSettings of(String connectionString) {
        return new HistoryQueueSettings(RabbitSettings.of(connectionString), DEFAULT_QUEUE);
    }

    public QueueType queueType() {
        return rabbit.queueType();
    }

    public Duration confirmTimeout() {
        return rabbit.confirmTimeout();
    }

    public String deadLetterQueue() {
        return queue + "-dlq";
    }
}
