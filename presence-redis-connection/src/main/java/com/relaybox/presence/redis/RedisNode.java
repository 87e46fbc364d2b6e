package com.relaybox.presence.redis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** One Redis or Sentinel server: a host and a port. */
public record RedisNode(String host, int port) {
    public RedisNode {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("the Redis host must not be blank or contain spaces, got '" + host + "'");
        if (port < 1 || port > 65_535)
            throw new IllegalArgumentException("the Redis port must be between 1 and 65535, got " + port);
    }

    /**
     * {@code host:port}, an IPv6 address in brackets ({@code [::1]:26379}); the port is required, so
     * a Sentinel's port (26379) is never mistaken for a Redis server's (6379).
     */
    public static RedisNode parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1)
            throw new IllegalArgumentException("'" + trimmed + "' is not host:port");
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.contains(":")) throw new IllegalArgumentException("'" + trimmed + "' is not host:port (write an IPv6 "
                + "address in brackets: [::1]:26379)");
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + trimmed + "' has no port number after the last ':'");
        }
        if (port < 1 || port > 65_535)
            throw new IllegalArgumentException("'" + trimmed + "' has port " + port + ", not between 1 and 65535");
        return new RedisNode(host, port);
    }

    /** A comma-separated list of {@code host:port}, each once, at least one. */
    public static List<RedisNode> parseList(String text) {
        Objects.requireNonNull(text, "text");
        Set<RedisNode> nodes = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) throw new IllegalArgumentException("has an empty entry in '" + text.trim() + "' (expected "
                    + "host:port,host:port,...)");
            RedisNode node = parse(part);
            if (!nodes.add(node)) throw new IllegalArgumentException("names " + node + " twice");
        }
        return List.copyOf(new ArrayList<>(nodes));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
