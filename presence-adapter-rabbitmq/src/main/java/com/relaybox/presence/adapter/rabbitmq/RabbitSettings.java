package com.relaybox.presence.adapter.rabbitmq;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything this adapter needs to know, as plain values. {@link #fromEnvironment} reads the
 * variables in parentheses below; {@link #of(String)} parses a connection string and takes the
 * defaults; the {@code with...} methods change one value. Validation messages name the variables.
 *
 * @param endpoint        broker, credentials and virtual host ({@code RABBIT_MQ_CONNECTION_STRING})
 * @param queueCount      N, the number of shard queues ({@code RABBIT_MQ_QUEUE_COUNT}, default 5); must be
 *                        the same in every RelayBox service
 * @param queueType       {@code x-queue-type} of the queues ({@code RABBIT_MQ_QUEUE_TYPE}, default quorum)
 * @param prefetch        unacknowledged deliveries per shard queue ({@code RABBIT_MQ_PREFETCH}, default 400);
 *                        at least the batch size
 * @param batchSize       most jobs applied in one go per shard ({@code PRESENCE_BATCH_SIZE}, default 200)
 * @param batchMaxWait    how long a worker waits for more jobs to fill a batch once it has one
 *                        ({@code PRESENCE_BATCH_MAX_WAIT_MS}, default 2 ms; 0 takes what is there)
 * @param connectionName  shown in the management UI, suffixed with the role of each connection
 *                        ({@code RABBIT_MQ_CONNECTION_NAME}, default {@code presence})
 * @param confirmTimeout  how long a publish waits for the broker's confirms before failing
 *                        ({@code RABBIT_MQ_CONFIRM_TIMEOUT_MS}, default 10 s)
 * @param retryBackoffMin first wait before retrying a batch that failed for a dependency
 *                        ({@code PRESENCE_RETRY_BACKOFF_MIN_MS}, default 100 ms)
 * @param retryBackoffMax the cap of the doubling wait ({@code PRESENCE_RETRY_BACKOFF_MAX_MS}, default 5 s)
 * @param shutdownTimeout how long {@code close()} waits for in-flight batches
 *                        ({@code PRESENCE_SHUTDOWN_TIMEOUT_MS}, default 10 s)
 */
public record RabbitSettings(AmqpEndpoint endpoint, int queueCount, QueueType queueType, int prefetch, int batchSize,
                             Duration batchMaxWait, String connectionName, Duration confirmTimeout,
                             Duration retryBackoffMin, Duration retryBackoffMax, Duration shutdownTimeout) {

    public static final int DEFAULT_QUEUE_COUNT = 5;
    public static final int DEFAULT_PREFETCH = 400;
    public static final int DEFAULT_BATCH_SIZE = 200;
    public static final Duration DEFAULT_BATCH_MAX_WAIT = Duration.ofMillis(2);
    public static final String DEFAULT_CONNECTION_NAME = "presence";
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    public RabbitSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(queueType, "queueType");
        Objects.requireNonNull(batchMaxWait, "batchMaxWait");
        Objects.requireNonNull(connectionName, "connectionName");
        Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        Objects.requireNonNull(retryBackoffMin, "retryBackoffMin");
        Objects.requireNonNull(retryBackoffMax, "retryBackoffMax");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (queueCount < 1 || queueCount > 1000)
            throw new IllegalArgumentException("RABBIT_MQ_QUEUE_COUNT must be 1..1000, got " + queueCount);
        if (batchSize < 1 || batchSize > 10_000)
            throw new IllegalArgumentException("PRESENCE_BATCH_SIZE must be 1..10000, got " + batchSize);
        if (prefetch < batchSize || prefetch > 65_535)
            throw new IllegalArgumentException("RABBIT_MQ_PREFETCH must be at least PRESENCE_BATCH_SIZE (" + batchSize
                    + ") and at most 65535, got " + prefetch);
        if (batchMaxWait.isNegative() || batchMaxWait.compareTo(Duration.ofSeconds(1)) > 0)
            throw new IllegalArgumentException("PRESENCE_BATCH_MAX_WAIT_MS must be 0..1000 ms, got " + batchMaxWait.toMillis());
        if (connectionName.isBlank())
            throw new IllegalArgumentException("RABBIT_MQ_CONNECTION_NAME must be non-empty");
        requirePositive(confirmTimeout, "RABBIT_MQ_CONFIRM_TIMEOUT_MS");
        requirePositive(retryBackoffMin, "PRESENCE_RETRY_BACKOFF_MIN_MS");
        requirePositive(shutdownTimeout, "PRESENCE_SHUTDOWN_TIMEOUT_MS");
        if (retryBackoffMax.compareTo(retryBackoffMin) < 0)
            throw new IllegalArgumentException("PRESENCE_RETRY_BACKOFF_MAX_MS must be >= PRESENCE_RETRY_BACKOFF_MIN_MS ("
                    + retryBackoffMin.toMillis() + "), got " + retryBackoffMax.toMillis());
    }

    /**
     * Reads every variable named above from the environment (an empty value counts as unset);
     * only {@code RABBIT_MQ_CONNECTION_STRING} is required.
     *
     * @throws IllegalArgumentException naming the variable that is missing or wrong
     */
    public static RabbitSettings fromEnvironment(Map<String, String> environment) {
        EnvironmentReader env = new EnvironmentReader(environment);
        return new RabbitSettings(AmqpEndpoint.parse(env.required(AmqpEndpoint.VARIABLE)),
                env.integer("RABBIT_MQ_QUEUE_COUNT", DEFAULT_QUEUE_COUNT),
                env.optional(QueueType.VARIABLE).map(QueueType::parse).orElse(QueueType.QUORUM),
                env.integer("RABBIT_MQ_PREFETCH", DEFAULT_PREFETCH),
                env.integer("PRESENCE_BATCH_SIZE", DEFAULT_BATCH_SIZE),
                Duration.ofMillis(env.number("PRESENCE_BATCH_MAX_WAIT_MS", DEFAULT_BATCH_MAX_WAIT.toMillis())),
                env.string("RABBIT_MQ_CONNECTION_NAME", DEFAULT_CONNECTION_NAME),
                Duration.ofMillis(env.number("RABBIT_MQ_CONFIRM_TIMEOUT_MS", DEFAULT_CONFIRM_TIMEOUT.toMillis())),
                Duration.ofMillis(env.number("PRESENCE_RETRY_BACKOFF_MIN_MS", DEFAULT_RETRY_BACKOFF_MIN.toMillis())),
                Duration.ofMillis(env.number("PRESENCE_RETRY_BACKOFF_MAX_MS", DEFAULT_RETRY_BACKOFF_MAX.toMillis())),
                Duration.ofMillis(env.number("PRESENCE_SHUTDOWN_TIMEOUT_MS", DEFAULT_SHUTDOWN_TIMEOUT.toMillis())));
    }

    /** The defaults, for the broker of {@code RABBIT_MQ_CONNECTION_STRING}. */
    public static RabbitSettings of(String connectionString) {
        return of(AmqpEndpoint.parse(connectionString));
    }

    public static RabbitSettings of(AmqpEndpoint endpoint) {
        return new RabbitSettings(endpoint, DEFAULT_QUEUE_COUNT, QueueType.QUORUM, DEFAULT_PREFETCH, DEFAULT_BATCH_SIZE,
                DEFAULT_BATCH_MAX_WAIT, DEFAULT_CONNECTION_NAME, DEFAULT_CONFIRM_TIMEOUT, DEFAULT_RETRY_BACKOFF_MIN,
                DEFAULT_RETRY_BACKOFF_MAX, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    public RabbitSettings withQueueCount(int queueCount) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withQueueType(QueueType queueType) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    /** Sets both, so that a smaller batch with a smaller prefetch is one valid step. */
    public RabbitSettings withBatching(int batchSize, int prefetch, Duration batchMaxWait) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withConnectionName(String connectionName) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withConfirmTimeout(Duration confirmTimeout) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    public RabbitSettings withRetryBackoff(Duration min, Duration max) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, min, max, shutdownTimeout);
    }

    public RabbitSettings withShutdownTimeout(Duration shutdownTimeout) {
        return new RabbitSettings(endpoint, queueCount, queueType, prefetch, batchSize, batchMaxWait, connectionName,
                confirmTimeout, retryBackoffMin, retryBackoffMax, shutdownTimeout);
    }

    private static void requirePositive(Duration duration, String variable) {
        if (duration.isNegative() || duration.isZero())
            throw new IllegalArgumentException(variable + " must be positive, got " + duration.toMillis());
    }
}
