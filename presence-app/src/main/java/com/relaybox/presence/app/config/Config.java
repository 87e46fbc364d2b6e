package com.relaybox.presence.app.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.relaybox.presence.adapter.bullmq.BullMqSettings;
import com.relaybox.presence.adapter.postgres.HistoryRetention;
import com.relaybox.presence.adapter.postgres.PostgresSettings;
import com.relaybox.presence.adapter.rabbitmq.AmqpEndpoint;
import com.relaybox.presence.adapter.rabbitmq.BrokerAddress;
import com.relaybox.presence.adapter.rabbitmq.QueueType;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.adapter.redis.RedisSettings;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.service.GhostSweeper;
import com.relaybox.presence.redis.RedisEndpoint;
import com.relaybox.presence.redis.RedisNode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static com.relaybox.presence.app.config.Variable.*;

/**
 * The whole configuration, read and checked at once: a value that is malformed, or missing where
 * the mode needs it, is a {@link ConfigException} naming the variable. A variable that is set is
 * checked even when the mode does not use it, so a typo never waits for the day it matters.
 *
 * <p>Each rule has one owner. Config owns the form of a value (a whole number, a port, true or
 * false, one of a few words), what the mode needs, and the settings of the app itself. What an
 * adapter's value may be (its range, the schema's form, the prefetch against the batch size) and
 * its default belong to the adapter's settings type: Config hands the value over and, when the
 * type refuses it, names the variable in front of the type's reason. Config builds the adapters'
 * settings itself, so no adapter knows a variable's name.
 */
public record Config(Mode mode, String modeReason, LogConfig log, HttpConfig http, JobConfig jobs,
                     Optional<ServicesConfig> services) {
    private static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug");
    /** Redis connections beyond one per shard consumer, for the HTTP reads and the readiness check. */
    private static final int REDIS_READ_CONNECTIONS = 8;
    /**
     * How long the consumers may take to finish their batches at shutdown: inside the service's
     * 10 s, after HTTP has stopped and before the connections close.
     */
    private static final Duration CONSUMER_SHUTDOWN = Duration.ofSeconds(6);
    /** A history batch not written by then stays in the queue, unacknowledged, for the next start. */
    private static final Duration HISTORY_WRITER_CLOSE = Duration.ofSeconds(3);

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
        return new Config(mode.mode, mode.reason, log, http, jobs, services(read, mode, jobs));
    }

    private record ModeChoice(Mode mode, String reason) {
    }

    private static ModeChoice chooseMode(Env env) {
        List<String> serviceVariables = new ArrayList<>();
        if (env.isSet(REDIS_HOST.name())) serviceVariables.add(REDIS_HOST.name());
        if (env.isSet(REDIS_SENTINELS.name())) serviceVariables.add(REDIS_SENTINELS.name());
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
                    "PRESENCE_MODE unset and none of REDIS_HOST, REDIS_SENTINELS, RABBIT_MQ_CONNECTION_STRING is set");
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
        return new JobConfig(read.intIn(PRESENCE_MAX_DATA_BYTES, JobParser.DEFAULT_MAX_DATA_BYTES, 1, 64 * 1024 * 1024),
                read.seconds(PRESENCE_DISCONNECT_TOMBSTONE_S, InMemoryPresenceStore.DEFAULT_TOMBSTONE),
                jobMemory(read),
                new GhostSweeper.Settings(
                        read.seconds(PRESENCE_LIVENESS_TIMEOUT_S, GhostSweeper.Settings.DEFAULT_TIMEOUT,
                                GhostSweeper.Settings::requireTimeout),
                        read.millis(PRESENCE_GHOST_SWEEP_INTERVAL_MS, GhostSweeper.Settings.DEFAULT_INTERVAL,
                                GhostSweeper.Settings::requireInterval),
                        read.number(PRESENCE_GHOST_SWEEP_BATCH, GhostSweeper.Settings.DEFAULT_BATCH_SIZE,
                                GhostSweeper.Settings::requireBatchSize)));
    }

    /**
     * The window is checked against the memory: a window set longer than it is the window's error.
     * Unset, it is the default or the memory if that is shorter, so a short memory set before the
     * window existed still starts.
     */
    private static JobMemory jobMemory(Reader read) {
        Duration unacknowledged = read.seconds(PRESENCE_JOB_MEMORY_S, JobMemory.DEFAULT_UNACKNOWLEDGED);
        Duration window = read.seconds(PRESENCE_JOB_DUPLICATE_WINDOW_S, JobMemory.of(unacknowledged).duplicateWindow());
        return read.accepted(PRESENCE_JOB_DUPLICATE_WINDOW_S, () -> new JobMemory(unacknowledged, window));
    }

    /**
     * What the {@code dlq} command needs: the broker and the shard queues, checked as at a start;
     * nothing else is read.
     */
    public static RabbitSettings deadLetterTool(Env env) {
        Reader read = new Reader(env);
        AmqpEndpoint endpoint = read.string(RABBIT_MQ_CONNECTION_STRING)
                .map(value -> read.accepted(RABBIT_MQ_CONNECTION_STRING, () -> AmqpEndpoint.parse(value)))
                .orElseThrow(() -> new ConfigException(RABBIT_MQ_CONNECTION_STRING.name(),
                        "is not set, but the dlq command needs it"));
        return RabbitSettings.of(endpoint)
                .withAddresses(read.addresses(endpoint.port()).orElse(List.of(new BrokerAddress(endpoint.host(), endpoint.port()))))
                .withQueueCount(read.number(RABBIT_MQ_QUEUE_COUNT, RabbitSettings.DEFAULT_QUEUE_COUNT,
                        RabbitSettings::requireQueueCount));
    }

    /** Every service variable is read and checked whatever the mode; only services mode builds the settings. */
    private static Optional<ServicesConfig> services(Reader read, ModeChoice mode, JobConfig jobs) {
        Optional<String> redisHost = read.string(REDIS_HOST);
        int redisPort = read.port(REDIS_PORT, RedisSettings.DEFAULT_PORT);
        boolean redisTls = !read.bool(REDIS_TLS_DISABLED, false);
        Optional<String> redisAuth = read.redisAuth(REDIS_AUTH);
        Optional<RedisEndpoint.Sentinel> sentinel = sentinel(read);
        if (sentinel.isPresent()) {
            for (Variable server : List.of(REDIS_HOST, REDIS_PORT))
                if (read.string(server).isPresent())
                    throw new ConfigException(server.name(), "is set together with REDIS_SENTINELS: give one server "
                            + "(REDIS_HOST, REDIS_PORT) or Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_MASTER), not both");
        }
        RedisSettings.ReplicaWait replicaWait = new RedisSettings.ReplicaWait(
                read.number(PRESENCE_REDIS_WAIT_REPLICAS, 0, RedisSettings.ReplicaWait::requireReplicas),
                read.millis(PRESENCE_REDIS_WAIT_TIMEOUT_MS, RedisSettings.ReplicaWait.DEFAULT_TIMEOUT,
                        RedisSettings.ReplicaWait::requireTimeout));
        String heartbeatKey = read.text(PRESENCE_HEARTBEAT_KEY, RedisSettings.DEFAULT_HEARTBEAT_KEY,
                RedisSettings::requireHeartbeatKey);

        Optional<AmqpEndpoint> endpoint = read.string(RABBIT_MQ_CONNECTION_STRING)
                .map(value -> read.accepted(RABBIT_MQ_CONNECTION_STRING, () -> AmqpEndpoint.parse(value)));
        int queueCount = read.number(RABBIT_MQ_QUEUE_COUNT, RabbitSettings.DEFAULT_QUEUE_COUNT,
                RabbitSettings::requireQueueCount);
        // Checked whatever the mode; a port left out is the connection string's (AMQP's default without one).
        Optional<List<BrokerAddress>> addresses = read.addresses(endpoint.map(AmqpEndpoint::port).orElse(5672));
        QueueType queueType = read.text(RABBIT_MQ_QUEUE_TYPE, QueueType.QUORUM.argument(), QueueType::parse);
        int groupSize = read.number(RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE, 0,
                size -> RabbitSettings.requireQuorumInitialGroupSize(size, queueType));
        Duration heartbeat = read.seconds(RABBIT_MQ_HEARTBEAT_S, RabbitSettings.DEFAULT_HEARTBEAT,
                RabbitSettings::requireHeartbeat);
        int batchSize = read.number(PRESENCE_BATCH_SIZE, RabbitSettings.DEFAULT_BATCH_SIZE,
                RabbitSettings::requireBatchSize);
        Duration batchWait = read.millis(PRESENCE_BATCH_MAX_WAIT_MS, RabbitSettings.DEFAULT_BATCH_MAX_WAIT,
                RabbitSettings::requireBatchMaxWait);
        // A larger batch raises the default, so that setting the batch size alone is enough.
        int prefetch = read.number(RABBIT_MQ_PREFETCH, Math.max(RabbitSettings.DEFAULT_PREFETCH, batchSize),
                value -> RabbitSettings.requirePrefetch(value, batchSize));

        Set<Intake> intakes = read.text(PRESENCE_INTAKES, "rabbitmq,bullmq", Intake::parseAll);
        String bullPrefix = read.text(PRESENCE_BULLMQ_PREFIX, BullMqSettings.DEFAULT_PREFIX, BullMqSettings::requirePrefix);
        String bullQueue = read.text(PRESENCE_BULLMQ_QUEUE, BullMqSettings.DEFAULT_QUEUE, BullMqSettings::requireQueueName);
        Duration lockDuration = read.millis(PRESENCE_BULLMQ_LOCK_DURATION_MS, BullMqSettings.DEFAULT_LOCK_DURATION,
                BullMqSettings::requireLockDuration);
        Duration stalledInterval = read.millis(PRESENCE_BULLMQ_STALLED_INTERVAL_MS,
                BullMqSettings.DEFAULT_STALLED_INTERVAL, BullMqSettings::requireStalledInterval);

        Optional<String> dbHost = read.string(DB_HOST);
        Optional<String> dbName = read.string(DB_NAME);
        Optional<String> dbUser = read.string(DB_USER);
        String dbPassword = read.string(DB_PASSWORD).orElse("");
        int dbPort = read.port(DB_PORT, PostgresSettings.DEFAULT_PORT);
        int dbMaxConnections = read.number(DB_MAX_CONNECTIONS, PostgresSettings.DEFAULT_MAX_CONNECTIONS,
                PostgresSettings::requireMaxConnections);
        Duration dbIdle = read.millis(DB_IDLE_TIMEOUT_MS, PostgresSettings.DEFAULT_IDLE_TIMEOUT,
                PostgresSettings::requireIdleTimeout);
        boolean dbTlsDisabled = read.bool(DB_TLS_DISABLED, false);
        boolean dbProxy = read.bool(DB_PROXY_ENABLED, false);
        String schema = read.text(PRESENCE_DB_SCHEMA, PostgresSettings.DEFAULT_SCHEMA, PostgresSettings::requireSchema);
        HistoryRetention retention = read.number(PRESENCE_HISTORY_RETENTION_DAYS, HistoryRetention.DEFAULT_DAYS,
                HistoryRetention::ofDays);

        if (mode.mode != Mode.SERVICES) return Optional.empty();
        List<String> missing = new ArrayList<>();
        if (redisHost.isEmpty() && sentinel.isEmpty()) missing.add(REDIS_HOST.name());
        if (endpoint.isEmpty()) missing.add(RABBIT_MQ_CONNECTION_STRING.name());
        if (dbHost.isEmpty()) missing.add(DB_HOST.name());
        if (dbName.isEmpty()) missing.add(DB_NAME.name());
        if (dbUser.isEmpty()) missing.add(DB_USER.name());
        if (!missing.isEmpty())
            throw new ConfigException(String.join(", ", missing), (missing.size() == 1 ? "is" : "are")
                    + " not set, but services mode needs " + (missing.size() == 1 ? "it" : "them")
                    + " (services mode because " + mode.reason + ")");

        RabbitSettings rabbit = RabbitSettings.of(endpoint.get())
                .withAddresses(addresses.orElse(List.of(new BrokerAddress(endpoint.get().host(), endpoint.get().port()))))
                .withHeartbeat(heartbeat)
                .withQueueCount(queueCount)
                .withQueueType(queueType)
                .withQuorumInitialGroupSize(groupSize)
                .withBatching(batchSize, prefetch, batchWait)
                .withShutdownTimeout(CONSUMER_SHUTDOWN);
        RedisEndpoint redis = sentinel.map(primary -> new RedisEndpoint(primary, redisTls, redisAuth))
                .orElseGet(() -> RedisEndpoint.server(redisHost.get(), redisPort, redisTls, redisAuth));
        return Optional.of(new ServicesConfig(
                new RedisSettings(redis, queueCount + REDIS_READ_CONNECTIONS, RedisSettings.DEFAULT_TIMEOUT,
                        jobs.disconnectTombstone(), jobs.jobMemory(), heartbeatKey, replicaWait),
                rabbit,
                new HistoryQueueSettings(rabbit, HistoryQueueSettings.DEFAULT_QUEUE),
                HistoryWriterSettings.defaults().withCloseTimeout(HISTORY_WRITER_CLOSE),
                new PostgresSettings(dbHost.get(), dbPort, dbName.get(), dbUser.get(), dbPassword, dbMaxConnections,
                        dbIdle, dbTlsDisabled, dbProxy, schema),
                retention, intakes,
                BullMqSettings.of(redis)
                        .withQueue(bullPrefix, bullQueue)
                        .withLocking(lockDuration, stalledInterval)
                        .withBatching(batchSize, batchWait)
                        .withShutdownTimeout(CONSUMER_SHUTDOWN)));
    }

    /**
     * Sentinel, when {@code REDIS_SENTINELS} and {@code REDIS_SENTINEL_MASTER} are set: both or
     * neither, and a Sentinel password only with them.
     */
    private static Optional<RedisEndpoint.Sentinel> sentinel(Reader read) {
        Optional<List<RedisNode>> sentinels = read.string(REDIS_SENTINELS)
                .map(value -> read.accepted(REDIS_SENTINELS, () -> RedisNode.parseList(value)));
        Optional<String> master = read.string(REDIS_SENTINEL_MASTER)
                .map(value -> read.accepted(REDIS_SENTINEL_MASTER, () -> RedisEndpoint.requireMasterName(value)));
        Optional<String> auth = read.redisAuth(REDIS_SENTINEL_AUTH);
        if (sentinels.isPresent() && master.isEmpty())
            throw new ConfigException(REDIS_SENTINEL_MASTER.name(), "is not set, but REDIS_SENTINELS is: Sentinel needs the "
                    + "name of the master it monitors too");
        if (master.isPresent() && sentinels.isEmpty())
            throw new ConfigException(REDIS_SENTINELS.name(), "is not set, but REDIS_SENTINEL_MASTER is: Sentinel needs the "
                    + "Sentinels' host:port list too");
        if (auth.isPresent() && sentinels.isEmpty())
            throw new ConfigException(REDIS_SENTINEL_AUTH.name(), "is set, but REDIS_SENTINELS is not: it is the Sentinels' "
                    + "password (value not shown: it is a secret)");
        if (sentinels.isEmpty()) return Optional.empty();
        return Optional.of(read.accepted(REDIS_SENTINELS, () -> new RedisEndpoint.Sentinel(master.get(), sentinels.get(), auth)));
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

        /** What a settings type makes of a value; its refusal becomes this variable's error. */
        <T> T accepted(Variable variable, Supplier<T> setting) {
            try {
                return setting.get();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(variable.name(), e.getMessage());
            }
        }

        /** The text, or the fallback, for a settings type to accept. */
        <T> T text(Variable variable, String fallback, Function<String, T> setting) {
            String value = string(variable).orElse(fallback);
            return accepted(variable, () -> setting.apply(value));
        }

        /** A whole number, or the fallback, for a settings type to accept. */
        <T> T number(Variable variable, int fallback, IntFunction<T> setting) {
            int value = string(variable).map(text -> wholeNumber(variable, text)).orElse(fallback);
            return accepted(variable, () -> setting.apply(value));
        }

        /** Milliseconds, or the fallback, for a settings type to accept. */
        <T> T millis(Variable variable, Duration fallback, Function<Duration, T> setting) {
            Duration value = string(variable).map(text -> Duration.ofMillis(wholeNumber(variable, text))).orElse(fallback);
            return accepted(variable, () -> setting.apply(value));
        }

        private static int wholeNumber(Variable variable, String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                String problem = text.matches("[+-]?\\d+") ? "is out of range" : "must be a whole number";
                throw new ConfigException(variable.name(), problem + ", got '" + abbreviate(text) + "'");
            }
        }

        /** A whole number in a range this class owns: the app's own settings. */
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

        Duration seconds(Variable variable, Duration fallback) {
            return Duration.ofSeconds(intIn(variable, (int) fallback.toSeconds(), 1, Integer.MAX_VALUE));
        }

        /** Whole seconds, or the fallback, for a settings type to accept. */
        <T> T seconds(Variable variable, Duration fallback, Function<Duration, T> setting) {
            Duration value = string(variable).map(text -> Duration.ofSeconds(wholeNumber(variable, text))).orElse(fallback);
            return accepted(variable, () -> setting.apply(value));
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

        /** The cluster's nodes, a port left out being the connection string's. */
        Optional<List<BrokerAddress>> addresses(int defaultPort) {
            return string(RABBIT_MQ_ADDRESSES).map(value -> accepted(RABBIT_MQ_ADDRESSES,
                    () -> BrokerAddress.parseList(value, defaultPort)));
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

        /** A plain password, or RelayBox's {@code {"authToken": "..."}}. */
        Optional<String> redisAuth(Variable variable) {
            Optional<String> value = string(variable);
            if (value.isEmpty() || !value.get().startsWith("{")) return value;
            try {
                JsonElement token = JsonParser.parseString(value.get()).getAsJsonObject().get("authToken");
                if (token == null || !token.isJsonPrimitive() || token.getAsString().isEmpty())
                    throw new ConfigException(variable.name(), "is JSON without a non-empty string \"authToken\"");
                return Optional.of(token.getAsString());
            } catch (JsonParseException | IllegalStateException e) {
                throw new ConfigException(variable.name(), "starts with '{' but is not a JSON object "
                        + "(value not shown: it is a secret)");
            }
        }
    }
}
