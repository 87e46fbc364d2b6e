package com.relaybox.presence.adapter.bullmq;

import com.relaybox.presence.redis.RedisEndpoint;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Which BullMQ queue to consume, in which Redis, and how. A value that cannot work is refused with
 * an {@link IllegalArgumentException} saying which setting and why.
 *
 * @param endpoint       the Redis (RelayBox's realtime service enqueues into the presence Redis): one
 *                       server or the primary Sentinel names; TLS and the password
 * @param prefix         BullMQ's key prefix ({@code queue} for RelayBox)
 * @param queue          the queue's name ({@code presence} for RelayBox)
 * @param lockDuration   how long a taken job's lock, and the lease on the queue, last unless renewed
 *                       (renewed every third of it); a dead instance's jobs are taken again after it
 * @param stalledInterval how often BullMQ's stalled-job check runs
 * @param batchSize      most jobs taken in one round trip and applied as one batch
 * @param batchMaxWait   how long a batch waits for more jobs to fill it
 * @param timeout        connect and read timeout of one Redis call
 * @param shutdownTimeout how long closing waits for the batches in flight
 */
public record BullMqSettings(RedisEndpoint endpoint, String prefix, String queue,
                             Duration lockDuration, Duration stalledInterval, int batchSize, Duration batchMaxWait,
                             Duration timeout, Duration shutdownTimeout) {
    public static final String DEFAULT_PREFIX = "queue";
    public static final String DEFAULT_QUEUE = "presence";
    /** BullMQ's own defaults. */
    public static final Duration DEFAULT_LOCK_DURATION = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STALLED_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_BATCH_SIZE = 200;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(6);

    public BullMqSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        requirePrefix(prefix);
        requireQueueName(queue);
        requireLockDuration(lockDuration);
        requireStalledInterval(stalledInterval);
        if (batchSize < 1 || batchSize > 10_000)
            throw new IllegalArgumentException("the batch size must be between 1 and 10000, got " + batchSize);
        Objects.requireNonNull(batchMaxWait, "batchMaxWait");
        if (batchMaxWait.isNegative()) throw new IllegalArgumentException("the batch wait must not be negative");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1) throw new IllegalArgumentException("the Redis timeout must be positive");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }

    /** RelayBox's queue ({@code queue:presence:*}) on the given server, with BullMQ's and this service's defaults. */
    public static BullMqSettings of(String host, int port, boolean tls, Optional<String> authToken) {
        return of(RedisEndpoint.server(host, port, tls, authToken));
    }

    /** RelayBox's queue ({@code queue:presence:*}) in the given Redis, with BullMQ's and this service's defaults. */
    public static BullMqSettings of(RedisEndpoint endpoint) {
        return new BullMqSettings(endpoint, DEFAULT_PREFIX, DEFAULT_QUEUE, DEFAULT_LOCK_DURATION,
                DEFAULT_STALLED_INTERVAL, DEFAULT_BATCH_SIZE, Duration.ZERO, DEFAULT_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    public BullMqSettings withQueue(String prefix, String queue) {
        return new BullMqSettings(endpoint, prefix, queue, lockDuration, stalledInterval, batchSize,
                batchMaxWait, timeout, shutdownTimeout);
    }

    public BullMqSettings withLocking(Duration lockDuration, Duration stalledInterval) {
        return new BullMqSettings(endpoint, prefix, queue, lockDuration, stalledInterval, batchSize,
                batchMaxWait, timeout, shutdownTimeout);
    }

    public BullMqSettings withBatching(int batchSize, Duration batchMaxWait) {
        return new BullMqSettings(endpoint, prefix, queue, lockDuration, stalledInterval, batchSize,
                batchMaxWait, timeout, shutdownTimeout);
    }

    public BullMqSettings withShutdownTimeout(Duration shutdownTimeout) {
        return new BullMqSettings(endpoint, prefix, queue, lockDuration, stalledInterval, batchSize,
                batchMaxWait, timeout, shutdownTimeout);
    }

    /** {@code <prefix>:<queue>:}, the start of every key of the queue and of each job's hash. */
    public String keyBase() {
        return prefix + ":" + queue + ":";
    }

    /** How often the lease and the locks are renewed: three times per lock duration, so one missed renewal costs nothing. */
    Duration renewInterval() {
        return lockDuration.dividedBy(3);
    }

    public static Duration requireLockDuration(Duration lockDuration) {
        Objects.requireNonNull(lockDuration, "lockDuration");
        if (lockDuration.compareTo(Duration.ofSeconds(1)) < 0 || lockDuration.compareTo(Duration.ofHours(1)) > 0)
            throw new IllegalArgumentException("the lock duration must be between 1000 and 3600000 ms, got "
                    + lockDuration.toMillis());
        return lockDuration;
    }

    public static Duration requireStalledInterval(Duration stalledInterval) {
        Objects.requireNonNull(stalledInterval, "stalledInterval");
        if (stalledInterval.compareTo(Duration.ofMillis(100)) < 0 || stalledInterval.compareTo(Duration.ofHours(1)) > 0)
            throw new IllegalArgumentException("the stalled interval must be between 100 and 3600000 ms, got "
                    + stalledInterval.toMillis());
        return stalledInterval;
    }

    public static String requirePrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || prefix.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("the BullMQ prefix must be non-empty, without spaces, got '" + prefix + "'");
        return prefix;
    }

    /** A queue name as BullMQ allows it: not empty, no colon (it separates the key's parts). */
    public static String requireQueueName(String queue) {
        Objects.requireNonNull(queue, "queue");
        if (queue.isEmpty() || queue.contains(":") || queue.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("the BullMQ queue name must be non-empty, without ':' or spaces, got '"
                    + queue + "'");
        return queue;
    }

    /** Never shows the auth token: settings get logged. */
    @Override
    public String toString() {
        return "BullMqSettings[endpoint=" + endpoint + ", keys=" + keyBase() + "*, lockDuration=" + lockDuration
                + ", stalledInterval=" + stalledInterval + ", batchSize=" + batchSize + ", batchMaxWait=" + batchMaxWait + "]";
    }
}
