package com.relaybox.presence.app.config;

import java.util.Objects;

/** Everything services mode connects to. */
public record ServicesConfig(RedisConfig redis, RabbitConfig rabbit, DbConfig db) {
    public ServicesConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(rabbit, "rabbit");
        Objects.requireNonNull(db, "db");
    }
}
