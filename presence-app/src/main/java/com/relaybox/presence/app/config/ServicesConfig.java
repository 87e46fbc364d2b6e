package com.relaybox.presence.app.config;

import com.relaybox.presence.adapter.postgres.HistoryRetention;
import com.relaybox.presence.adapter.postgres.PostgresSettings;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.adapter.redis.RedisSettings;

import java.util.Objects;

/** Everything services mode connects to, as the adapters' own settings. */
public record ServicesConfig(RedisSettings redis, RabbitSettings rabbit, HistoryQueueSettings historyQueue,
                             HistoryWriterSettings historyWriter, PostgresSettings postgres,
                             HistoryRetention retention) {
    public ServicesConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(rabbit, "rabbit");
        Objects.requireNonNull(historyQueue, "historyQueue");
        Objects.requireNonNull(historyWriter, "historyWriter");
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(retention, "retention");
    }
}
