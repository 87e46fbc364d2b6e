package com.relaybox.presence.app.config;

import java.util.Objects;
import java.util.Optional;

/** {@code REDIS_HOST}, {@code REDIS_PORT}, TLS unless {@code REDIS_TLS_DISABLED=true}, {@code REDIS_AUTH}. */
public record RedisConfig(String host, int port, boolean tls, Optional<Secret> password) {
    public RedisConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(password, "password");
    }
}
