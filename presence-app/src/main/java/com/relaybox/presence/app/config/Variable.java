package com.relaybox.presence.app.config;

/**
 * Every variable the service reads, with its default as the README's configuration reference
 * states it and a one-line meaning for {@code --help}. Tests hold the README, {@code .env.template}
 * and {@link Config} to this list, so the usage cannot drift from what the service does.
 */
public enum Variable {
    PRESENCE_MODE("see Modes", "embedded or services"),

    DB_HOST("—", "PostgreSQL host (services mode: required)"),
    DB_PORT("5432", "PostgreSQL port"),
    DB_NAME("—", "PostgreSQL database (services mode: required)"),
    DB_USER("—", "PostgreSQL user (services mode: required)"),
    DB_PASSWORD("empty", "PostgreSQL password (secret)"),
    DB_MAX_CONNECTIONS("10", "PostgreSQL pool size, 1-1000"),
    DB_IDLE_TIMEOUT_MS("10000", "close a pooled connection idle this long (at least 10000; 0 never)"),
    DB_TLS_DISABLED("false", "true: PostgreSQL without TLS"),
    DB_PROXY_ENABLED("false", "true: PostgreSQL behind a transaction-pooling proxy"),
    PRESENCE_DB_SCHEMA("presence", "schema of the history tables, migrated at start"),
    PRESENCE_HISTORY_RETENTION_DAYS("30", "purge history older than this, at most 36500; 0 keeps it"),

    REDIS_HOST("—", "Redis host (services mode: required)"),
    REDIS_PORT("6379", "Redis port"),
    REDIS_TLS_DISABLED("false", "true: Redis without TLS"),
    REDIS_AUTH("unset", "Redis password, plain or {\"authToken\":\"...\"} (secret)"),
    REDIS_SENTINELS("unset", "host:port,... of Sentinels naming the primary, instead of REDIS_HOST/REDIS_PORT"),
    REDIS_SENTINEL_MASTER("unset", "the master name the Sentinels monitor (with REDIS_SENTINELS)"),
    REDIS_SENTINEL_AUTH("unset", "the Sentinels' password, plain or {\"authToken\":\"...\"} (secret)"),
    PRESENCE_REDIS_WAIT_REPLICAS("0", "replicas that must have a batch before it is acknowledged (WAIT), 0-10"),
    PRESENCE_REDIS_WAIT_TIMEOUT_MS("1000", "how long a batch waits for them before it is retried, 1-60000"),

    RABBIT_MQ_CONNECTION_STRING("—", "amqp[s]://user:password@host:port/vhost (secret; services mode: required)"),
    RABBIT_MQ_QUEUE_COUNT("5", "shard queues presence-0..N-1, 1-1000, the same in every RelayBox service"),
    RABBIT_MQ_ADDRESSES("unset", "cluster nodes host[:port],host[:port],... in place of the connection string's host:port"),
    RABBIT_MQ_QUEUE_TYPE("quorum", "quorum or classic"),
    RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE("unset", "replicas of each quorum queue created, 1-100; unset or 0: the broker's default"),
    RABBIT_MQ_HEARTBEAT_S("2", "AMQP heartbeat timeout, 1-60 s: a frozen instance's queues move after about twice this"),
    PRESENCE_BATCH_SIZE("200", "most jobs of one shard applied at once, 1-10000"),
    PRESENCE_BATCH_MAX_WAIT_MS("0", "wait this long for a batch to fill, 0-1000"),
    RABBIT_MQ_PREFETCH("400", "unacknowledged jobs per shard queue, PRESENCE_BATCH_SIZE-65535"),

    PRESENCE_INTAKES("rabbitmq,bullmq", "where services mode takes jobs from: rabbitmq, bullmq or both"),
    PRESENCE_BULLMQ_PREFIX("queue", "BullMQ key prefix of the queue consumed"),
    PRESENCE_BULLMQ_QUEUE("presence", "BullMQ queue consumed: keys <prefix>:<queue>:*"),
    PRESENCE_BULLMQ_LOCK_DURATION_MS("30000", "lock of a taken BullMQ job and lease of the queue, 1000-3600000"),
    PRESENCE_BULLMQ_STALLED_INTERVAL_MS("30000", "how often lapsed BullMQ locks are looked for"),

    PRESENCE_MAX_DATA_BYTES("65536", "largest message.data; larger jobs are rejected"),
    PRESENCE_DISCONNECT_TOMBSTONE_S("600", "ignore a connection's joins and updates this long after its disconnect"),
    PRESENCE_JOB_MEMORY_S("86400", "remember a job id this long until acknowledged, so a redelivery changes nothing"),
    PRESENCE_JOB_DUPLICATE_WINDOW_S("300", "once acknowledged, remember a job id this long, for a producer's retry"),

    PRESENCE_LIVENESS_TIMEOUT_S("90", "a connection whose last heartbeat is older than this is a ghost, evicted"),
    PRESENCE_GHOST_SWEEP_INTERVAL_MS("5000", "how often stale heartbeats are looked for, 100-10000"),
    PRESENCE_GHOST_SWEEP_BATCH("500", "most stale connections read and evicted at once"),
    PRESENCE_HEARTBEAT_KEY("heartbeat:keepalive", "sorted set of the session service's heartbeats"),

    PRESENCE_HTTP_HOST("127.0.0.1", "HTTP bind address; not loopback needs PRESENCE_API_TOKEN"),
    PRESENCE_HTTP_PORT("4004", "HTTP port; 0 picks a free one"),
    PRESENCE_API_TOKEN("unset", "bearer token every /v1 route then needs (secret)"),

    LOCALHOST("false", "true: the time of day in log lines, for a terminal"),
    LOG_LEVEL("info", "error, warn, info or debug");

    private final String defaultValue;
    private final String summary;

    Variable(String defaultValue, String summary) {
        this.defaultValue = defaultValue;
        this.summary = summary;
    }

    /** The default as the configuration reference states it: a value, or a word ("—" for none, "unset", "empty"). */
    public String defaultValue() {
        return defaultValue;
    }

    /** What it does, in one short line. */
    public String summary() {
        return summary;
    }
}
