package com.relaybox.presence.app.config;

/**
 * Every variable the service reads, with its default and meaning: the single list behind
 * {@code .env.template} and the README (a test checks the template names exactly these).
 */
public enum Variable {
    PRESENCE_MODE("see below", "embedded | services; unset: embedded unless REDIS_HOST or RABBIT_MQ_CONNECTION_STRING is set"),

    DB_HOST("", "PostgreSQL host (services mode: required)"),
    DB_PORT("5432", "PostgreSQL port"),
    DB_NAME("", "PostgreSQL database (services mode: required)"),
    DB_USER("", "PostgreSQL user (services mode: required)"),
    DB_PASSWORD("", "PostgreSQL password (secret; empty for trust authentication)"),
    DB_MAX_CONNECTIONS("10", "PostgreSQL connection pool size"),
    DB_IDLE_TIMEOUT_MS("10000", "close a pooled PostgreSQL connection idle this long"),
    DB_TLS_DISABLED("false", "true: connect to PostgreSQL without TLS (local development)"),
    DB_PROXY_ENABLED("false", "true: PostgreSQL is reached through a pooling proxy (no server-side prepared statements)"),
    PRESENCE_DB_SCHEMA("presence", "PostgreSQL schema of the history tables (created if missing)"),
    PRESENCE_HISTORY_RETENTION_DAYS("30", "history older than this many days is deleted"),

    REDIS_HOST("", "Redis host (services mode: required)"),
    REDIS_PORT("6379", "Redis port"),
    REDIS_TLS_DISABLED("false", "true: connect to Redis without TLS (local development)"),
    REDIS_AUTH("", "Redis password (secret): plain, or RelayBox's JSON {\"authToken\":\"...\"}"),

    RABBIT_MQ_CONNECTION_STRING("", "amqp[s]://user:password@host:port/vhost (secret; services mode: required)"),
    RABBIT_MQ_QUEUE_COUNT("5", "number of job queues presence-0..N-1; must match every RelayBox service"),
    RABBIT_MQ_QUEUE_TYPE("quorum", "quorum | classic: the type the job queues are declared with"),
    PRESENCE_BATCH_SIZE("200", "at most this many jobs of one shard applied in one go (one store round trip)"),
    PRESENCE_BATCH_MAX_WAIT_MS("0", "how long a consumer waits for more jobs to fill a batch (0..1000; 0 takes what has arrived)"),
    RABBIT_MQ_PREFETCH("400", "unacknowledged jobs per shard queue; at least PRESENCE_BATCH_SIZE"),

    PRESENCE_MAX_DATA_BYTES("65536", "largest message.data accepted; larger jobs are rejected"),
    PRESENCE_DISCONNECT_TOMBSTONE_S("600", "seconds after a disconnect during which that connection's late joins/updates are ignored"),
    PRESENCE_JOB_MEMORY_S("86400", "seconds a job id is remembered, so a repeat changes nothing"),

    PRESENCE_HTTP_HOST("127.0.0.1", "HTTP API bind address; a non-loopback address needs PRESENCE_API_TOKEN"),
    PRESENCE_HTTP_PORT("4004", "HTTP API port (0: any free port, logged at start)"),
    PRESENCE_API_TOKEN("", "when set, every /v1 route needs 'Authorization: Bearer <token>' (secret)"),

    LOCALHOST("false", "true: short human-readable log lines (local development)"),
    LOG_LEVEL("info", "error | warn | info | debug");

    private final String defaultValue;
    private final String meaning;

    Variable(String defaultValue, String meaning) {
        this.defaultValue = defaultValue;
        this.meaning = meaning;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String meaning() {
        return meaning;
    }
}
