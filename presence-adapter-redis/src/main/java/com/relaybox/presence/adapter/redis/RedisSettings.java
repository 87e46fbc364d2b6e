package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.redis.RedisEndpoint;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the presence sets live and how long the store remembers things. A value that cannot work
 * is refused with an {@link IllegalArgumentException} saying which setting and why.
 *
 * @param endpoint   the Redis server, or the primary Sentinel names; TLS and the password
 * @param poolSize   connections kept at most: one per consumer applying batches, plus a few for reads
 * @param timeout    connect and read timeout of one Redis call, and the longest wait for a free
 *                   connection
 * @param tombstone  how long a join or update of a disconnected connection is ignored
 * @param jobMemory  how long a job id's first outcome is remembered, so a redelivery changes nothing:
 *                   until acknowledged, and after
 * @param heartbeatKey the sorted set of the connections' last heartbeats (CONTRACT §8), RelayBox's
 *                   {@code heartbeat:keepalive}; the ghost sweeper's own keys are named after it
 * @param replicaWait how many replicas must have a batch's changes before {@code apply} returns
 *                   ({@code WAIT}), and how long to wait for them
 */
public record RedisSettings(RedisEndpoint endpoint, int poolSize, Duration timeout, Duration tombstone, JobMemory jobMemory,
                            String heartbeatKey, ReplicaWait replicaWait) {
    public static final int DEFAULT_PORT = 6379;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(600);
    public static final String DEFAULT_HEARTBEAT_KEY = "heartbeat:keepalive";

    /**
     * {@code WAIT replicas timeout} after each batch, in the batch's round trip: {@code apply}
     * returns only once that many replicas have the batch's changes, and fails (the batch is
     * retried) when fewer had them within the timeout. {@link #NONE} waits for no replica.
     */
    public record ReplicaWait(int replicas, Duration timeout) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
        public static final ReplicaWait NONE = new ReplicaWait(0, DEFAULT_TIMEOUT);

        public ReplicaWait {
            requireReplicas(replicas);
            requireTimeout(timeout);
        }

        public static int requireReplicas(int replicas) {
            if (replicas < 0 || replicas > 10)
                throw new IllegalArgumentException("the replicas to wait for must be between 0 and 10, got " + replicas);
            return replicas;
        }

        public static Duration requireTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1 || timeout.toMillis() > 60_000)
                throw new IllegalArgumentException("the replica wait timeout must be between 1 and 60000 ms, got "
                        + timeout.toMillis());
            return timeout;
        }
    }

    public RedisSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(replicaWait, "replicaWait");
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

    /** The given server, with the default timeout, tombstone and job memory, waiting for no replica. */
    public static RedisSettings of(String host, int port, boolean tls, Optional<String> authToken, int poolSize) {
        return of(RedisEndpoint.server(host, port, tls, authToken), poolSize);
    }

    /** The given endpoint, with the default timeout, tombstone and job memory, waiting for no replica. */
    public static RedisSettings of(RedisEndpoint endpoint, int poolSize) {
        return new RedisSettings(endpoint, poolSize, DEFAULT_TIMEOUT, DEFAULT_TOMBSTONE, JobMemory.DEFAULT,
                DEFAULT_HEARTBEAT_KEY, ReplicaWait.NONE);
    }

    public RedisSettings withTimeout(Duration timeout) {
        return new RedisSettings(endpoint, poolSize, timeout, tombstone, jobMemory, heartbeatKey, replicaWait);
    }

    public RedisSettings withTombstone(Duration tombstone) {
        return new RedisSettings(endpoint, poolSize, timeout, tombstone, jobMemory, heartbeatKey, replicaWait);
    }

    public RedisSettings withJobMemory(JobMemory jobMemory) {
        return new RedisSettings(endpoint, poolSize, timeout, tombstone, jobMemory, heartbeatKey, replicaWait);
    }

    public RedisSettings withHeartbeatKey(String heartbeatKey) {
        return new RedisSettings(endpoint, poolSize, timeout, tombstone, jobMemory, heartbeatKey, replicaWait);
    }

    public RedisSettings withReplicaWait(ReplicaWait replicaWait) {
        return new RedisSettings(endpoint, poolSize, timeout, tombstone, jobMemory, heartbeatKey, replicaWait);
    }

    /** Never shows the auth tokens: settings get logged. */
    @Override
    public String toString() {
        return "RedisSettings[endpoint=" + endpoint + ", poolSize=" + poolSize + ", timeout=" + timeout
                + ", tombstone=" + tombstone + ", jobMemory=" + jobMemory + ", heartbeatKey=" + heartbeatKey
                + ", replicaWait=" + replicaWait + "]";
    }

    private static void requireMillis(Duration duration, String what, long maxMillis) {
        Objects.requireNonNull(duration, what);
        if (duration.compareTo(Duration.ofMillis(1)) < 0)
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        if (duration.compareTo(Duration.ofMillis(maxMillis)) > 0)
            throw new IllegalArgumentException(what + " is too long: " + duration);
    }
}
