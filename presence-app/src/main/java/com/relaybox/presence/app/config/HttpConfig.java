package com.relaybox.presence.app.config;

import java.util.Objects;
import java.util.Optional;

/** Where the HTTP API listens, and the bearer token every {@code /v1} route needs when set. */
public record HttpConfig(String host, int port, Optional<Secret> apiToken) {
    public HttpConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(apiToken, "apiToken");
    }
}
