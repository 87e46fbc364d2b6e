package com.relaybox.presence.app.config;

import java.util.Objects;

/**
 * {@code RABBIT_MQ_CONNECTION_STRING}, taken apart: {@code amqp[s]://[user[:password]@]host[:port][/vhost]}.
 * {@link #toString()} shows the URI with the password masked.
 */
public record RabbitConfig(boolean tls, String host, int port, String username, Secret password, String virtualHost) {
    public RabbitConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(virtualHost, "virtualHost");
    }

    @Override
    public String toString() {
        return (tls ? "amqps" : "amqp") + "://" + username + ":****@" + host + ":" + port + "/"
                + java.net.URLEncoder.encode(virtualHost, java.nio.charset.StandardCharsets.UTF_8);
    }
}
