package com.relaybox.presence.adapter.rabbitmq;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything this adapter needs to know, as plain values. {@link #of(String)} parses a connection
 * string and takes the defaults; the {@code with...} methods change one value. A value that cannot
 * work is refused with an {@link IllegalArgumentException} saying which setting and why; the
 * {@code require...} methods state the rule of one value, for a caller that checks a value before
 * it has the others.
 *
 * @param endpoint        broker, credentials and virtual host
 * @param addresses       the nodes to connect to (default the endpoint's host and port alone): each
 *                        connection goes to one of them, in random order, and recovers to another
 *                        when its node goes; the endpoint's credentials, virtual host and TLS apply
 *                        to every one
 * @param heartbeat       the AMQP heartbeat timeout requested (default 2 s): the broker closes a
 *                        connection it has heard nothing on for about twice this, which is what hands
 *                        a frozen instance's queues to another
 * @param quorumInitialGroupSize {@code x-quorum-initial-group-size} of the quorum queues this module
 *                        creates (default 0: not given, the broker's default); ignored for a queue
 *                        that exists already, and refused with classic queues
 * @param queueCount      N, the number of shard queues (default 5); must be the same in every
 *                        RelayBox service
 * @param queueType       {@code x-queue-type} of the queues (default quorum)
 * @param prefetch        unacknowledged deliveries per shard queue (default 400); at least the batch size
 * @param batchSize       most jobs applied in one go per shard (default 200)
 * @param batchMaxWait    how long a worker waits for more jobs to fill a batch once it has one
 *                        (default 0: take what is there, as the jobs that arrive while a batch is
 *                        applied make the next batch)
 * @param connectionName  shown in the management UI, suffixed with the role of each connection
 *                        (default {@code presence})
 * @param confirmTimeout  how long a publish waits for the broker's confirms before failing (default 10 s)
 * @param retryBackoffMin first wait before retrying a batch that failed for a dependency (default 100 ms)
 * @param retryBackoffMax the cap of the doubling wait (default 5 s)
 * @param shutdownTimeout how long {@code close()} waits for in-flight batches (default 10 s)
 */
public record RabbitSettings(AmqpEndpoint endpoint, List<BrokerAddress> addresses, Duration heartbeat, int queueCount,
                             QueueType queueType, int quorumInitialGroupSize, int prefetch, int batchSize,
                             Duration batchMaxWait, String connectionName, Duration confirmTimeout,
                             Duration retryBackoffMin, Duration retryBackoffMax, Duration shutdownTimeout) {

    public static final int DEFAULT_QUEUE_COUNT = 5;
    public static final int DEFAULT_PREFETCH = 400;
    public static final int DEFAULT_BATCH_SIZE = 200;
    public static final Duration DEFAULT_BATCH_MAX_WAIT = Duration.ZERO;
    public static final String DEFAULT_CONNECTION_NAME = "presence";
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);

    public RabbitSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
        if (addresses.isEmpty()) throw new IllegalArgumentException("the RabbitMQ address list must name a node");
        requireHeartbeat(heartbeat);
        requireQuorumInitialGroupSize(quorumInitialGroupSize, queueType);
        Objects.requireNonNull(queueType, "queueType");
        Objects.requireNonNull(connectionName, "connectionName");
        Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        Objects.requireNonNull(retryBackoffMin, "retryBackoffMin");
        Objects.requireNonNull(retryBackoffMax, "retryBackoffMax");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        requireQueueCount(queueCount);
        requireBatchSize(batchSize);
        requirePrefetch(prefetch, batchSize);
        requireBatchMaxWait(batchMaxWait);
        if (connectionName.isBlank())
            throw new IllegalArgumentException("the RabbitMQ connection name must be non-empty");
        requirePositive(confirmTimeout, "the publish confirm timeout");
        requirePositive(retryBackoffMin, "the first retry backoff");
        requirePositive(shutdownTimeout, "the consumer shutdown timeout");
        if (retryBackoffMax.compareTo(retryBackoffMin) < 0)
            throw new IllegalArgumentException("the retry backoff cap must be at least the first retry backoff ("
                    + retryBackoffMin.toMillis() + " ms), got " + retryBackoffMax.toMillis() + " ms");
    }

    public static int requireQueueCount(int queueCount) {
        if (queueCount < 1 || queueCount > 1000)
            throw new IllegalArgumentException("the queue count must be between 1 and 1000, got " + queueCount);
        return queueCount;
    }

    /** Whole seconds, as AMQP negotiates it: at least 1 (0 would turn heartbeats off), at most 60. */
    public static Duration requireHeartbeat(Duration heartbeat) {
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.toMillis() % 1000 != 0 || heartbeat.getSeconds() < 1 || heartbeat.getSeconds() > 60)
            throw new IllegalArgumentException("the heartbeat must be 1 to 60 whole seconds, got " + heartbeat.toMillis() + " ms");
        return heartbeat;
    }

    /** 0 (the broker's default) or 1-100 for quorum queues; classic queues take none. */
    public static int requireQuorumInitialGroupSize(int size, QueueType queueType) {
        Objects.requireNonNull(queueType, "queueType");
        if (size < 0 || size > 100)
            throw new IllegalArgumentException("the quorum initial group size must be between 1 and 100 (0: the broker's "
                    + "default), got " + size);
        if (size > 0 && queueType != QueueType.QUORUM)
            throw new IllegalArgumentException("the quorum initial group size applies to quorum queues only, but the "
                    + "queue type is " + queueType.argument());
        return size;
    }

    public static int requireBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > 10_000)
            throw new IllegalArgumentException("the batch size must be between 1 and 10000, got " + batchSize);
        return batchSize;
    }

    /** A batch is taken from the deliveries not yet acknowledged, so they must hold one. */
    public static int requirePrefetch(int prefetch, int batchSize) {
        if (prefetch < batchSize || prefetch > 65_535)
            throw new IllegalArgumentException("the prefetch must be at least the batch size (" + batchSize
                    + ") and at most 65535, got " + prefetch);
        return prefetch;
    }

    public static Duration requireBatchMaxWait(Duration batchMaxWait) {
        Objects.requireNonNull(batchMaxWait, "batchMaxWait");
        if (batchMaxWait.isNegative() || batchMaxWait.compareTo(Duration.ofSeconds(1)) > 0)
            throw new IllegalArgumentException("the batch wait must be between 0 and 1000 ms, got "
                    + batchMaxWait.toMillis() + " ms");
        return batchMaxWait;
    }

    /** The defaults, for the broker of a connection string. */
    public static RabbitSettings of(String connectionString) {
        return of(AmqpEndpoint.parse(connectionString));
    }

    public static RabbitSettings of(AmqpEndpoint endpoint) {
        return new RabbitSettings(endpoint, List.of(new BrokerAddress(endpoint.host(), endpoint.port())), DEFAULT_HEARTBEAT,
                DEFAULT_QUEUE_COUNT, QueueType.QUORUM, 0, DEFAULT_PREFETCH, DEFAULT_BATCH_SIZE,
                DEFAULT_BATCH_MAX_WAIT, DEFAULT_CONNECTION_NAME, DEFAULT_CONFIRM_TIMEOUT, DEFAULT_RETRY_BACKOFF_MIN,
                DEFAULT_RETRY_BACKOFF_MAX, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    public RabbitSettings withQueueCount(int queueCount) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    /** The cluster's nodes, in place of the endpoint's host and port. */
    public RabbitSettings withAddresses(List<BrokerAddress> addresses) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withHeartbeat(Duration heartbeat) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withQuorumInitialGroupSize(int quorumInitialGroupSize) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withQueueType(QueueType queueType) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    /** Sets both, so that a smaller batch with a smaller prefetch is one valid step. */
    public RabbitSettings withBatching(int batchSize, int prefetch, Duration batchMaxWait) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withConnectionName(String connectionName) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withConfirmTimeout(Duration confirmTimeout) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withRetryBackoff(Duration min, Duration max) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, min, max, shutdownTimeout);
    }

    public RabbitSettings withShutdownTimeout(Duration shutdownTimeout) {
        return new RabbitSettings(endpoint, addresses, heartbeat, queueCount, queueType, quorumInitialGroupSize, prefetch,
                batchSize, batchMaxWait, connectionName, confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    private static void requirePositive(Duration duration, String what) {
        if (duration.isNegative() || duration.isZero())
            throw new IllegalArgumentException(what + " must be positive, got " + duration.toMillis() + " ms");
    }
}
