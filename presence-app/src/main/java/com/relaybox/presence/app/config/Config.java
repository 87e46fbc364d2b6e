package com.relaybox.presence.app.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.relaybox.presence.adapter.rabbitmq.AmqpEndpoint;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import static com.relaybox.presence.app.config.Variable.*;

/**
 * The whole configuration, read and checked at once: a value that is malformed, or missing where
 * the mode needs it, is a {@link ConfigException} naming the variable. A variable that is set is
 * checked even when the mode does not use it, so a typo never waits for the day it matters.
 */
public record Config(Mode mode, String modeReason, LogConfig log, HttpConfig http, JobConfig jobs,
                     Optional<ServicesConfig> services) {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug");

    public Config {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(modeReason, "modeReason");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(services, "services");
        if (services.isPresent() != (mode == Mode.SERVICES))
            throw new IllegalArgumentException("services settings exist exactly in services mode");
    }

    public static Config from(Env env) {
        Reader read = new Reader(env);
        LogConfig log = new LogConfig(read.logLevel(), read.bool(LOCALHOST, false));

        ModeChoice mode = chooseMode(env);
        HttpConfig http = http(read);
        JobConfig jobs = jobs(read);

        // Every service variable is parsed whatever the mode; presence is required only in services mode.
        Optional<String> redisHost = read.string(REDIS_HOST);
        int redisPort = read.port(REDIS_PORT, 6379);
        boolean redisTls = !read.bool(REDIS_TLS_DISABLED, false);
        Optional<Secret> redisAuth = read.redisAuth();
        Optional<AmqpEndpoint> rabbit = read.amqp();
        Optional<String> dbHost = read.string(DB_HOST);
        Optional<String> dbName = read.string(DB_NAME);
        Optional<String> dbUser = read.string(DB_USER);
        Optional<Secret> dbPassword = read.string(DB_PASSWORD).map(Secret::new);
        int dbPort = read.port(DB_PORT, 5432);
        int dbMaxConnections = read.intIn(DB_MAX_CONNECTIONS, 10, 1, 1000);
        Duration dbIdle = Duration.ofMillis(read.intIn(DB_IDLE_TIMEOUT_MS, 10_000, 1, Integer.MAX_VALUE));
        boolean dbTls = !read.bool(DB_TLS_DISABLED, false);
        boolean dbProxy = read.bool(DB_PROXY_ENABLED, false);
        String schema = read.string(PRESENCE_DB_SCHEMA).orElse("presence");
        if (!SCHEMA.matcher(schema).matches())
            throw new ConfigException(PRESENCE_DB_SCHEMA.name(), "must be a lower-case SQL identifier "
                    + "([a-z_][a-z0-9_]*, at most 63 characters), got '" + abbreviate(schema) + "'");
        int retentionDays = read.intIn(PRESENCE_HISTORY_RETENTION_DAYS, 30, 1, 36_500);

        Optional<ServicesConfig> services = Optional.empty();
        if (mode.mode == Mode.SERVICES) {
            List<String> missing = new ArrayList<>();
            if (redisHost.isEmpty()) missing.add(REDIS_HOST.name());
            if (rabbit.isEmpty()) missing.add(RABBIT_MQ_CONNECTION_STRING.name());
            if (dbHost.isEmpty()) missing.add(DB_HOST.name());
            if (dbName.isEmpty()) missing.add(DB_NAME.name());
            if (dbUser.isEmpty()) missing.add(DB_USER.name());
            if (!missing.isEmpty())
                throw new ConfigException(String.join(", ", missing), (missing.size() == 1 ? "is" : "are")
                        + " not set, but services mode needs " + (missing.size() == 1 ? "it" : "them")
                        + " (services mode because " + mode.reason + ")");
            services = Optional.of(new ServicesConfig(
                    new RedisConfig(redisHost.get(), redisPort, redisTls, redisAuth),
                    rabbit.get(),
                    new DbConfig(dbHost.get(), dbPort, dbName.get(), dbUser.get(), dbPassword, dbMaxConnections,
                            dbIdle, dbTls, dbProxy, schema, retentionDays)));
        }
        return new Config(mode.mode, mode.reason, log, http, jobs, services);
    }

    private record ModeChoice(Mode mode, String reason) {
    }

    private static ModeChoice chooseMode(Env env) {
        List<String> serviceVariables = new ArrayList<>();
        if (env.isSet(REDIS_HOST.name())) serviceVariables.add(REDIS_HOST.name());
        if (env.isSet(RABBIT_MQ_CONNECTION_STRING.name())) serviceVariables.add(RABBIT_MQ_CONNECTION_STRING.name());
        Optional<String> explicit = env.get(PRESENCE_MODE.name());
        if (explicit.isPresent()) {
            String value = explicit.get().toLowerCase(Locale.ROOT);
            if (value.equals("services")) return new ModeChoice(Mode.SERVICES, "PRESENCE_MODE=services");
            if (value.equals("embedded"))
                return new ModeChoice(Mode.EMBEDDED, "PRESENCE_MODE=embedded" + (serviceVariables.isEmpty() ? ""
                        : " (" + String.join(" and ", serviceVariables) + " set but not used)"));
            throw new ConfigException(PRESENCE_MODE.name(), "must be 'embedded' or 'services', got '"
                    + abbreviate(explicit.get()) + "'");
        }
        if (serviceVariables.isEmpty())
            return new ModeChoice(Mode.EMBEDDED,
                    "PRESENCE_MODE unset and neither REDIS_HOST nor RABBIT_MQ_CONNECTION_STRING is set");
        return new ModeChoice(Mode.SERVICES, "PRESENCE_MODE unset and " + String.join(" and ", serviceVariables)
                + (serviceVariables.size() == 1 ? " is" : " are") + " set");
    }

    private static HttpConfig http(Reader read) {
        String host = read.string(PRESENCE_HTTP_HOST).orElse("127.0.0.1");
        int port = read.intIn(PRESENCE_HTTP_PORT, 4004, 0, 65_535);
        Optional<Secret> token = read.string(PRESENCE_API_TOKEN).map(Secret::new);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException(PRESENCE_HTTP_HOST.name(), "cannot resolve '" + abbreviate(host) + "'");
        }
        if (!address.isLoopbackAddress() && token.isEmpty())
            throw new ConfigException(PRESENCE_HTTP_HOST.name(), "'" + abbreviate(host) + "' is not a loopback "
                    + "address, so PRESENCE_API_TOKEN must be set (the API would be open to the network)");
        return new HttpConfig(host, port, token);
    }

    private static JobConfig jobs(Reader read) {
        int queueCount = read.intIn(RABBIT_MQ_QUEUE_COUNT, 5, 1, 1000);
        QueueType queueType = read.string(RABBIT_MQ_QUEUE_TYPE).map(value -> {
            for (QueueType type : QueueType.values())
                if (type.wireName().equalsIgnoreCase(value)) return type;
            throw new ConfigException(RABBIT_MQ_QUEUE_TYPE.name(), "must be 'quorum' or 'classic', got '"
                    + abbreviate(value) + "'");
        }).orElse(QueueType.QUORUM);
        int batchSize = read.intIn(PRESENCE_BATCH_SIZE, 200, 1, 10_000);
        int batchWaitMs = read.intIn(PRESENCE_BATCH_MAX_WAIT_MS, 0, 0, 1_000);
        int prefetch = read.intIn(RABBIT_MQ_PREFETCH, Math.max(400, batchSize), 1, 65_535);
        if (prefetch < batchSize)
            throw new ConfigException(RABBIT_MQ_PREFETCH.name(), "must be at least PRESENCE_BATCH_SIZE ("
                    + batchSize + "), got " + prefetch);
        int maxDataBytes = read.intIn(PRESENCE_MAX_DATA_BYTES, 65_536, 1, 64 * 1024 * 1024);
        int tombstone = read.intIn(PRESENCE_DISCONNECT_TOMBSTONE_S, 600, 1, Integer.MAX_VALUE);
        int jobMemory = read.intIn(PRESENCE_JOB_MEMORY_S, 86_400, 1, Integer.MAX_VALUE);
        return new JobConfig(queueCount, queueType, batchSize, Duration.ofMillis(batchWaitMs), prefetch,
                maxDataBytes, Duration.ofSeconds(tombstone), Duration.ofSeconds(jobMemory));
    }

    static String abbreviate(String text) {
        String flat = text.replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= 60 ? flat : flat.substring(0, 60) + "...";
    }

    /** Typed reads; every error names the variable. */
    private static final class Reader {
        private final Env env;

        Reader(Env env) {
            this.env = env;
        }

        Optional<String> string(Variable variable) {
            return env.get(variable.name());
        }

        int intIn(Variable variable, int fallback, int min, int max) {
            Optional<String> value = string(variable);
            if (value.isEmpty()) return fallback;
            long parsed;
            try {
                parsed = Long.parseLong(value.get());
            } catch (NumberFormatException e) {
                throw new ConfigException(variable.name(), "must be a whole number "
                        + (max == Integer.MAX_VALUE ? "of " : "") + range(min, max)
                        + ", got '" + abbreviate(value.get()) + "'");
            }
            if (parsed < min || parsed > max)
                throw new ConfigException(variable.name(), "must be " + range(min, max) + ", got " + parsed);
            return (int) parsed;
        }

        private static String range(int min, int max) {
            return max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
        }

        int port(Variable variable, int fallback) {
            Optional<String> value = string(variable);
            if (value.isEmpty()) return fallback;
            try {
                int port = Integer.parseInt(value.get());
                if (port >= 1 && port <= 65_535) return port;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ConfigException(variable.name(), "must be a port number between 1 and 65535, got '"
                    + abbreviate(value.get()) + "'");
        }

        boolean bool(Variable variable, boolean fallback) {
            Optional<String> value = string(variable);
            if (value.isEmpty()) return fallback;
            if (value.get().equalsIgnoreCase("true")) return true;
            if (value.get().equalsIgnoreCase("false")) return false;
            throw new ConfigException(variable.name(), "must be 'true' or 'false', got '" + abbreviate(value.get()) + "'");
        }

        String logLevel() {
            Optional<String> value = string(LOG_LEVEL);
            if (value.isEmpty()) return "info";
            String level = value.get().toLowerCase(Locale.ROOT);
            if (!LOG_LEVELS.contains(level))
                throw new ConfigException(LOG_LEVEL.name(), "must be one of error, warn, info, debug, got '"
                        + abbreviate(value.get()) + "'");
            return level;
        }

        /** The adapter's parser, so that the app and the adapter cannot disagree on a connection string. */
        Optional<AmqpEndpoint> amqp() {
            return string(RABBIT_MQ_CONNECTION_STRING).map(value -> {
                try {
                    return AmqpEndpoint.parse(value);
                } catch (IllegalArgumentException e) {
                    // Its message starts with the variable's name, which ConfigException puts in front itself.
                    String name = RABBIT_MQ_CONNECTION_STRING.name();
                    throw new ConfigException(name, e.getMessage().replaceFirst("^" + name + " ", ""));
                }
            });
        }

        /** A plain password, or RelayBox's {@code {"authToken": "..."}}. */
        Optional<Secret> redisAuth() {
            Optional<String> value = string(REDIS_AUTH);
            if (value.isEmpty() || !value.get().startsWith("{")) return value.map(Secret::new);
            try {
                JsonElement token = JsonParser.parseString(value.get()).getAsJsonObject().get("authToken");
                if (token == null || !token.isJsonPrimitive() || token.getAsString().isEmpty())
                    throw new ConfigException(REDIS_AUTH.name(), "is JSON without a non-empty string \"authToken\"");
                return Optional.of(new Secret(token.getAsString()));
            } catch (JsonParseException | IllegalStateException e) {
                throw new ConfigException(REDIS_AUTH.name(), "starts with '{' but is not a JSON object "
                        + "(value not shown: it is a secret)");
            }
        }
    }
}
