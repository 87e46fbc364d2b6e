package com.relaybox.presence.adapter.redis;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the presence sets live and how long the store remembers things. Every error names the
 * environment variable the value comes from.
 *
 * @param host       Redis host ({@code REDIS_HOST})
 * @param port       Redis port ({@code REDIS_PORT})
 * @param tls        connect with TLS ({@code REDIS_TLS_DISABLED=false})
 * @param authToken  the password sent with {@code AUTH}, from {@code REDIS_AUTH} (see {@link #parseRedisAuth})
 * @param poolSize   connections kept at most ({@code REDIS_POOL_SIZE}): one per consumer applying
 *                   batches, plus a few for reads
 * @param timeout    connect and read timeout of one Redis call, and the longest wait for a free
 *                   connection ({@code REDIS_TIMEOUT_MS})
 * @param tombstone  how long a join or update of a disconnected connection is ignored
 *                   ({@code PRESENCE_DISCONNECT_TOMBSTONE_S})
 * @param jobMemory  how long a job id's first outcome is remembered, so a redelivery changes nothing
 *                   ({@code PRESENCE_JOB_MEMORY_S})
 */
public record RedisSettings(String host, int port, boolean tls, Optional<String> authToken, int poolSize,
                            Duration timeout, Duration tombstone, Duration jobMemory) {
    public static final int DEFAULT_PORT = 6379;
    public static final int DEFAULT_POOL_SIZE = 16;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(600);
    public static final Duration DEFAULT_JOB_MEMORY = Duration.ofHours(24);

    public RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(authToken, "authToken");
        if (host.isBlank()) throw new IllegalArgumentException("REDIS_HOST must not be blank");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("REDIS_PORT must be between 1 and 65535, got " + port);
        if (authToken.isPresent() && authToken.get().isEmpty())
            throw new IllegalArgumentException("REDIS_AUTH.authToken must not be empty when present");
        if (poolSize < 1) throw new IllegalArgumentException("REDIS_POOL_SIZE must be at least 1, got " + poolSize);
        requireMillis(timeout, "REDIS_TIMEOUT_MS", Integer.MAX_VALUE);
        requireMillis(tombstone, "PRESENCE_DISCONNECT_TOMBSTONE_S", Long.MAX_VALUE);
        requireMillis(jobMemory, "PRESENCE_JOB_MEMORY_S", Long.MAX_VALUE);
    }

    /** The given server, with the default timeout, tombstone and job memory. */
    public static RedisSettings of(String host, int port, boolean tls, Optional<String> authToken, int poolSize) {
        return new RedisSettings(host, port, tls, authToken, poolSize, DEFAULT_TIMEOUT, DEFAULT_TOMBSTONE, DEFAULT_JOB_MEMORY);
    }

    /**
     * Reads {@code REDIS_HOST} (required), {@code REDIS_PORT} (6379), {@code REDIS_TLS_DISABLED}
     * (false: TLS), {@code REDIS_AUTH} (unset: no auth), {@code REDIS_POOL_SIZE} (16),
     * {@code REDIS_TIMEOUT_MS} (2000), {@code PRESENCE_DISCONNECT_TOMBSTONE_S} (600) and
     * {@code PRESENCE_JOB_MEMORY_S} (86400); a bad or missing value throws naming the variable.
     */
    public static RedisSettings fromEnvironment(Map<String, String> environment) {
        Env env = new Env(environment);
        return new RedisSettings(
                env.required("REDIS_HOST"),
                (int) env.number("REDIS_PORT", DEFAULT_PORT, 1, 65_535),
                !env.bool("REDIS_TLS_DISABLED", false),
                parseRedisAuth(env.optional("REDIS_AUTH").orElse(null)),
                (int) env.number("REDIS_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 10_000),
                Duration.ofMillis(env.number("REDIS_TIMEOUT_MS", DEFAULT_TIMEOUT.toMillis(), 1, Integer.MAX_VALUE)),
                Duration.ofSeconds(env.number("PRESENCE_DISCONNECT_TOMBSTONE_S", DEFAULT_TOMBSTONE.toSeconds(), 1, 366L * 86_400)),
                Duration.ofSeconds(env.number("PRESENCE_JOB_MEMORY_S", DEFAULT_JOB_MEMORY.toSeconds(), 1, 366L * 86_400)));
    }

    public RedisSettings withTimeout(Duration timeout) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory);
    }

    public RedisSettings withTombstone(Duration tombstone) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory);
    }

    public RedisSettings withJobMemory(Duration jobMemory) {
        return new RedisSettings(host, port, tls, authToken, poolSize, timeout, tombstone, jobMemory);
    }

    /**
     * The auth token of {@code REDIS_AUTH} as RelayBox takes it: a JSON object
     * {@code {"authToken": "..."}}. Unset or blank, or an object whose {@code authToken} is absent,
     * {@code null} or empty, means no auth. Anything else that is not such an object is an error
     * that names the variable and never echoes the value (it is a secret).
     */
    public static Optional<String> parseRedisAuth(String raw) {
        if (raw == null || raw.isBlank()) return Optional.empty();
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(raw);
        } catch (JsonParseException e) {
            // The parser's message quotes the input, so it is not passed on.
            throw new IllegalArgumentException("REDIS_AUTH is not valid JSON; expected {\"authToken\": \"...\"}");
        }
        if (!parsed.isJsonObject())
            throw new IllegalArgumentException("REDIS_AUTH must be a JSON object {\"authToken\": \"...\"}, got a "
                    + kind(parsed));
        JsonObject object = parsed.getAsJsonObject();
        JsonElement token = object.get("authToken");
        if (token == null || token.isJsonNull()) return Optional.empty();
        if (!token.isJsonPrimitive() || !token.getAsJsonPrimitive().isString())
            throw new IllegalArgumentException("REDIS_AUTH.authToken must be a string, got a " + kind(token));
        String value = token.getAsString();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** Never shows the auth token: settings get logged. */
    @Override
    public String toString() {
        return "RedisSettings[host=" + host + ", port=" + port + ", tls=" + tls + ", auth="
                + (authToken.isPresent() ? "<token>" : "none") + ", poolSize=" + poolSize + ", timeout=" + timeout
                + ", tombstone=" + tombstone + ", jobMemory=" + jobMemory + "]";
    }

    private static String kind(JsonElement element) {
        if (element.isJsonArray()) return "JSON array";
        if (element.isJsonObject()) return "JSON object";
        if (element.isJsonNull()) return "JSON null";
        if (element.getAsJsonPrimitive().isString()) return "JSON string";
        if (element.getAsJsonPrimitive().isNumber()) return "JSON number";
        return "JSON boolean";
    }

    private static void requireMillis(Duration duration, String variable, long maxMillis) {
        Objects.requireNonNull(duration, variable);
        if (duration.compareTo(Duration.ofMillis(1)) < 0)
            throw new IllegalArgumentException(variable + " must be positive, got " + duration);
        if (duration.compareTo(Duration.ofMillis(maxMillis)) > 0)
            throw new IllegalArgumentException(variable + " is too long: " + duration);
    }
}
