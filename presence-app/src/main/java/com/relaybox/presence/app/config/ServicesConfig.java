package com.relaybox.presence.app.config;

import com.relaybox.presence.adapter.bullmq.BullMqSettings;
import com.relaybox.presence.adapter.postgres.HistoryRetention;
import com.relaybox.presence.adapter.postgres.PostgresSettings;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.adapter.redis.RedisSettings;

import java.util.Objects;
import java.util.Set;

/** Everything services mode connects to, as the adapters' own settings, and the intakes it takes jobs from. */
public record ServicesConfig(RedisSettings redis, RabbitSettings rabbit, HistoryQueueSettings historyQueue,
                             HistoryWriterSettings historyWriter, PostgresSettings postgres,
                             HistoryRetention retention, Set<Intake> intakes, BullMqSettings bullmq) {
    public ServicesConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(rabbit, "rabbit");
        Objects.requireNonNull(historyQueue, "historyQueue");
        Objects.requireNonNull(historyWriter, "historyWriter");
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(retention, "retention");
        intakes = Set.copyOf(intakes);
        if (intakes.isEmpty()) throw new IllegalArgumentException("at least one intake");
        Objects.requireNonNull(bullmq, "bullmq");
    }
}
