package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.port.out.JobMemory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the presence sets live and how long the store remembers things. A value that cannot work
 * is refused with an {@link IllegalArgumentException} saying which setting and why.
 *
 * @param host       Redis host
 * @param port       Redis port (default 6379)
 * @param tls        connect with TLS, verifying the server's name
 * @param authToken  the password sent with {@code AUTH}
 * @param poolSize   connections kept at most: one per consumer applying batches, plus a few for reads
 * @param timeout    connect and read timeout of one Redis call, and the longest wait for a free
 *                   connection
 * @param tombstone  how long a join or update of a disconnected connection is ignored
 * @param jobMemory  how long a job id's first outcome is remembered, so a redelivery changes nothing:
 *                   until acknowledged, and after
 * @param heartbeatKey the sorted set of the connections' last heartbeats (CONTRACT §8), RelayBox's
 *                   {@code heartbeat:keepalive}; the ghost sweeper's own keys are named after it
 */
public record RedisSettings(String host, int port, boolean tls, Optional<String> authToken, int poolSize,
                            Duration timeout, Duration tombstone, JobMemory jobMemory, String heartbeatKey) {
    public static final int DEFAULT_PORT = 6379;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(600);
    public static final String DEFAULT_HEARTBEAT_KEY = "heartbeat:keepalive";

    public RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(authToken, "authToken");
        if (host.isBlank()) throw new IllegalArgumentException("the Redis host must not be blank");
        if (port < 1 || port > 65_535)
            throw new IllegalArgumentException("the Redis port must be between 1 and 65535, got " + port);
        if (authToken.isPresent() && authToken.get().isEmpty())
            throw new IllegalArgumentException("the Redis auth token, when given, must not be empty");
        if (poolSize < 1) throw new IllegalArgumentException("the Redis pool size must be at least 1, got " + poolSize);
        requireMillis(timeout, "the Redis timeout", Integer.MAX_VALUE);
        requireMillis(tombstone, "the disconnect tombstone", Long.MAX_VALUE);
        Objects.requireNonNull(jobMemory, "jobMemory");
        requireHeartbeatKey(heartbeatKey);
    }

    public static String requireHeartbeatKey(String heartbeatKey) {
        Objects.requireNonNull(heartbeatKey, "heartbeatKey");
        if (heartbeatKey.isBlank() || heartbeatKey.length() > 256 || !heartbeatKey.chars().allMatch(c -> c > ' ' && c < 127))
            throw new IllegalArgumentException("the heartbeat key must be 1 to 256 printable ASCII characters without spaces, got '"
                    + heartbeatKey + "'");
        return heartbeatKey;
    }

    /** The given server, with the default timeout, tombstone and job memory. */
    public static RedisSettings of(String host, int port, boolean tls, Optional<String> authToken, int poolSize) {
        return new RedisSettings(host, port, tls, authToken, poolSize, DEFAULT_TIMEOUT, DEFAULT_TOMBSTONE, JobMemory.DEFAULT,
                DEFAULT_HEARTBEAT_KEY);
    }

    public RedisSettings withTimeout(Duration timeout) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory, heartbeatKey);
    }

    public RedisSettings withTombstone(Duration tombstone) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory, heartbeatKey);
    }

    public RedisSettings withJobMemory(JobMemory jobMemory) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory, heartbeatKey);
    }

    public RedisSettings withHeartbeatKey(String heartbeatKey) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory, heartbeatKey);
    }

    /** Never shows the auth token: settings get logged. */
    @Override
    public String toString() {
        return "RedisSettings[host=" + host + ", port=" + port + ", tls=" + tls + ", auth="
                + (authToken.isPresent() ? "<token>" : "none") + ", poolSize=" + poolSize + ", timeout=" + timeout
                + ", tombstone=" + tombstone + ", jobMemory=" + jobMemory + ", heartbeatKey=" + heartbeatKey + "]";
    }

    private static void requireMillis(Duration duration, String what, long maxMillis) {
        Objects.requireNonNull(duration, what);
        if (duration.compareTo(Duration.ofMillis(1)) < 0)
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        if (duration.compareTo(Duration.ofMillis(maxMillis)) > 0)
            throw new IllegalArgumentException(what + " is too long: " + duration);
    }
}
