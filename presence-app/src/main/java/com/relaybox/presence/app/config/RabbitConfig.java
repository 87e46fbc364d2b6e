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

    /** The connection string, rebuilt from its parts: a secret, since it holds the password. */
    public Secret uri() {
        return new Secret((tls ? "amqps" : "amqp") + "://" + encode(username) + ":" + encode(password.reveal()) + "@"
                + host + ":" + port + "/" + encode(virtualHost));
    }

    private static String encode(String part) {
        return java.net.URLEncoder.encode(part, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return (tls ? "amqps" : "amqp") + "://" + username + ":****@" + host + ":" + port + "/"
                + java.net.URLEncoder.encode(virtualHost, java.nio.charset.StandardCharsets.UTF_8);
    }
}
