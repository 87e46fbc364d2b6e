package com.relaybox.presence.app.config;

import com.relaybox.presence.adapter.rabbitmq.AmqpEndpoint;

import java.util.Objects;

/** Everything services mode connects to. */
public record ServicesConfig(RedisConfig redis, AmqpEndpoint rabbit, DbConfig db) {
    public ServicesConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(rabbit, "rabbit");
        Objects.requireNonNull(db, "db");
    }
}
