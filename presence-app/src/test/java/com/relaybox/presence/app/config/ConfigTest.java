package com.relaybox.presence.app.config;

import com.relaybox.presence.adapter.postgres.HistoryRetention;
import com.relaybox.presence.adapter.postgres.PostgresSettings;
import com.relaybox.presence.adapter.rabbitmq.AmqpEndpoint;
import com.relaybox.presence.adapter.rabbitmq.BrokerAddress;
import com.relaybox.presence.adapter.rabbitmq.QueueType;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.redis.RedisSettings;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.service.GhostSweeper;
import com.relaybox.presence.redis.RedisEndpoint;
import com.relaybox.presence.redis.RedisNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
    /** Everything services mode needs, valid. */
    static Map<String, String> services() {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_HOST", "127.0.0.1");
        env.put("RABBIT_MQ_CONNECTION_STRING", "amqp://guest:guest@127.0.0.1:5672/%2F");
        env.put("DB_HOST", "127.0.0.1");
        env.put("DB_NAME", "test");
        env.put("DB_USER", "postgres");
        return env;
    }

    static Config config(Map<String, String> env) {
        return Config.from(Env.of(env));
    }

    static ConfigException error(Map<String, String> env) {
        try {
            config(env);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a configuration error for " + env);
    }

    static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> env = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    static Map<String, String> without(Map<String, String> base, String variable) {
        Map<String, String> env = new HashMap<>(base);
        env.remove(variable);
        return env;
    }

    @Test
    void nothingConfiguredIsEmbeddedModeWithTheDefaults() {
        Config config = config(Map.of());
        assertThat(config.mode()).isEqualTo(Mode.EMBEDDED);
        assertThat(config.modeReason()).isEqualTo(
                "PRESENCE_MODE unset and none of REDIS_HOST, REDIS_SENTINELS, RABBIT_MQ_CONNECTION_STRING is set");
        assertThat(config.services()).isEmpty();
        assertThat(config.http()).isEqualTo(new HttpConfig("127.0.0.1", 4004, Optional.empty()));
        assertThat(config.log()).isEqualTo(new LogConfig("info", false));
        assertThat(config.jobs()).isEqualTo(new JobConfig(65_536, Duration.ofSeconds(600),
                new JobMemory(Duration.ofHours(24), Duration.ofMinutes(5)), GhostSweeper.Settings.defaults()));
    }

    @Test
    void redisHostOrConnectionStringChoosesServicesMode() {
        Config config = config(services());
        assertThat(config.mode()).isEqualTo(Mode.SERVICES);
        assertThat(config.modeReason())
                .isEqualTo("PRESENCE_MODE unset and REDIS_HOST and RABBIT_MQ_CONNECTION_STRING are set");
        ServicesConfig services = config.services().orElseThrow();
        // A Redis connection per shard consumer and 8 for reads.
        assertThat(services.redis()).isEqualTo(new RedisSettings(RedisEndpoint.server("127.0.0.1", 6379, true, Optional.empty()),
                5 + 8, RedisSettings.DEFAULT_TIMEOUT, Duration.ofSeconds(600), JobMemory.DEFAULT, "heartbeat:keepalive",
                RedisSettings.ReplicaWait.NONE));
        assertThat(services.bullmq().endpoint()).isEqualTo(services.redis().endpoint());
        RabbitSettings rabbit = services.rabbit();
        assertThat(rabbit.endpoint()).isEqualTo(new AmqpEndpoint(false, "127.0.0.1", 5672, "guest", "guest", "/"));
        assertThat(rabbit.queueCount()).isEqualTo(5);
        assertThat(rabbit.queueType()).isEqualTo(QueueType.QUORUM);
        assertThat(rabbit.batchSize()).isEqualTo(200);
        assertThat(rabbit.batchMaxWait()).isEqualTo(Duration.ZERO);
        assertThat(rabbit.prefetch()).isEqualTo(400);
        assertThat(services.historyQueue().rabbit()).isEqualTo(rabbit);
        assertThat(services.historyQueue().queue()).isEqualTo("presence-history");
        assertThat(services.postgres()).isEqualTo(new PostgresSettings("127.0.0.1", 5432, "test", "postgres", "", 10,
                Duration.ofMillis(10_000), false, false, "presence"));
        assertThat(services.retention()).isEqualTo(HistoryRetention.ofDays(30));
    }

    @Test
    void explicitModeWins() {
        assertThat(config(Map.of("PRESENCE_MODE", "embedded", "REDIS_HOST", "h")).modeReason())
                .isEqualTo("PRESENCE_MODE=embedded (REDIS_HOST set but not used)");
        assertThat(config(with(services(), "PRESENCE_MODE", "services")).modeReason())
                .isEqualTo("PRESENCE_MODE=services");
        assertThat(config(Map.of("PRESENCE_MODE", "EMBEDDED")).mode()).isEqualTo(Mode.EMBEDDED);
    }

    @Test
    void anUnknownModeIsAnError() {
        ConfigException e = error(Map.of("PRESENCE_MODE", "cloud"));
        assertThat(e.variable()).isEqualTo("PRESENCE_MODE");
        assertThat(e.problem()).isEqualTo("must be 'embedded' or 'services', got 'cloud'");
    }

    @Test
    void halfConfiguredServicesModeNamesWhatIsMissing() {
        ConfigException e = error(Map.of("REDIS_HOST", "127.0.0.1"));
        assertThat(e.variable()).isEqualTo("RABBIT_MQ_CONNECTION_STRING, DB_HOST, DB_NAME, DB_USER");
        assertThat(e.problem()).isEqualTo("are not set, but services mode needs them "
                + "(services mode because PRESENCE_MODE unset and REDIS_HOST is set)");

        Map<String, String> noDbUser = services();
        noDbUser.remove("DB_USER");
        assertThat(error(noDbUser).getMessage()).startsWith("DB_USER: is not set, but services mode needs it");

        assertThat(error(Map.of("PRESENCE_MODE", "services")).variable())
                .isEqualTo("REDIS_HOST, RABBIT_MQ_CONNECTION_STRING, DB_HOST, DB_NAME, DB_USER");
    }

    @Test
    void anEmptyValueCountsAsUnset() {
        ConfigException e = error(with(services(), "DB_HOST", ""));
        assertThat(e.variable()).isEqualTo("DB_HOST");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "REDIS_PORT|abc|must be a port number between 1 and 65535, got 'abc'",
            "REDIS_PORT|0|must be a port number between 1 and 65535, got '0'",
            "DB_PORT|65536|must be a port number between 1 and 65535, got '65536'",
            "PRESENCE_HTTP_PORT|http|must be a whole number between 0 and 65535, got 'http'",
            "RABBIT_MQ_QUEUE_COUNT|0|the queue count must be between 1 and 1000, got 0",
            "RABBIT_MQ_QUEUE_COUNT|-3|the queue count must be between 1 and 1000, got -3",
            "RABBIT_MQ_QUEUE_COUNT|1001|the queue count must be between 1 and 1000, got 1001",
            "RABBIT_MQ_QUEUE_COUNT|five|must be a whole number, got 'five'",
            "RABBIT_MQ_QUEUE_COUNT|99999999999|is out of range, got '99999999999'",
            "RABBIT_MQ_QUEUE_TYPE|stream|the queue type must be 'quorum' or 'classic', got 'stream'",
            "RABBIT_MQ_ADDRESSES|rabbit-1:5672,,rabbit-3|address 2 is empty; expected host:port,host:port",
            "RABBIT_MQ_ADDRESSES|rabbit-1:amqp|address 1 ('rabbit-1:amqp') has port 'amqp', not a number between 1 and 65535",
            "RABBIT_MQ_HEARTBEAT_S|0|the heartbeat must be 1 to 60 whole seconds, got 0 ms",
            "RABBIT_MQ_HEARTBEAT_S|often|must be a whole number, got 'often'",
            "RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE|101|the quorum initial group size must be between 1 and 100 (0: the broker's default), got 101",
            "LOG_LEVEL|verbose|must be one of error, warn, info, debug, got 'verbose'",
            "PRESENCE_INTAKES|kafka|must be a comma-separated list of rabbitmq and bullmq, got 'kafka'",
            "PRESENCE_INTAKES|bullmq,bullmq|names bullmq twice",
            "PRESENCE_BULLMQ_QUEUE|presence:jobs|the BullMQ queue name must be non-empty, without ':' or spaces, got 'presence:jobs'",
            "PRESENCE_BULLMQ_LOCK_DURATION_MS|500|the lock duration must be between 1000 and 3600000 ms, got 500",
            "PRESENCE_BULLMQ_STALLED_INTERVAL_MS|soon|must be a whole number, got 'soon'",
            "LOCALHOST|yes|must be 'true' or 'false', got 'yes'",
            "DB_TLS_DISABLED|1|must be 'true' or 'false', got '1'",
            "DB_MAX_CONNECTIONS|0|the pool size must be between 1 and 1000, got 0",
            "DB_MAX_CONNECTIONS|1001|the pool size must be between 1 and 1000, got 1001",
            "DB_IDLE_TIMEOUT_MS|soon|must be a whole number, got 'soon'",
            "DB_IDLE_TIMEOUT_MS|-1|the idle timeout must not be negative, got -1 ms",
            "PRESENCE_BATCH_SIZE|0|the batch size must be between 1 and 10000, got 0",
            "PRESENCE_BATCH_SIZE|10001|the batch size must be between 1 and 10000, got 10001",
            "PRESENCE_BATCH_MAX_WAIT_MS|1001|the batch wait must be between 0 and 1000 ms, got 1001 ms",
            "PRESENCE_BATCH_MAX_WAIT_MS|-1|the batch wait must be between 0 and 1000 ms, got -1 ms",
            "RABBIT_MQ_PREFETCH|65536|the prefetch must be at least the batch size (200) and at most 65535, got 65536",
            "PRESENCE_MAX_DATA_BYTES|0|must be between 1 and 67108864, got 0",
            "PRESENCE_DISCONNECT_TOMBSTONE_S|0|must be at least 1, got 0",
            "PRESENCE_JOB_DUPLICATE_WINDOW_S|0|must be at least 1, got 0",
            "PRESENCE_JOB_DUPLICATE_WINDOW_S|86401|the duplicate window (86401 s) must not exceed the job memory (86400 s)",
            "PRESENCE_DB_SCHEMA|Presence-History|the schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), got 'Presence-History'",
            "PRESENCE_HISTORY_RETENTION_DAYS|-1|the retention must be between 0 and 36500 days, got -1",
            "PRESENCE_HISTORY_RETENTION_DAYS|36501|the retention must be between 0 and 36500 days, got 36501",
            "PRESENCE_LIVENESS_TIMEOUT_S|0|the liveness timeout must be between 1 s and 1 day, got 0 ms",
            "PRESENCE_LIVENESS_TIMEOUT_S|soon|must be a whole number, got 'soon'",
            "PRESENCE_GHOST_SWEEP_INTERVAL_MS|10001|the sweep interval must be between 100 and 10000 ms, got 10001",
            "PRESENCE_GHOST_SWEEP_INTERVAL_MS|99|the sweep interval must be between 100 and 10000 ms, got 99",
            "PRESENCE_GHOST_SWEEP_BATCH|0|the sweep batch size must be between 1 and 10000, got 0",
            "PRESENCE_HEARTBEAT_KEY|a b|the heartbeat key must be 1 to 256 printable ASCII characters without spaces, got 'a b'",
    })
    void aMalformedValueNamesTheVariableAndWhatIsWrong(String variable, String value, String problem) {
        // Checked in embedded mode too: a set variable is checked whether or not the mode uses it.
        for (Map<String, String> base : java.util.List.of(Map.<String, String>of(), services())) {
            ConfigException e = error(with(base, variable, value));
            assertThat(e.variable()).isEqualTo(variable);
            assertThat(e.problem()).isEqualTo(problem);
        }
    }

    @Test
    void theDuplicateWindowMustNotExceedTheJobMemory() {
        ConfigException e = error(Map.of("PRESENCE_JOB_MEMORY_S", "600", "PRESENCE_JOB_DUPLICATE_WINDOW_S", "601"));
        assertThat(e.variable()).isEqualTo("PRESENCE_JOB_DUPLICATE_WINDOW_S");
        assertThat(e.problem()).isEqualTo("the duplicate window (601 s) must not exceed the job memory (600 s)");
        assertThat(config(Map.of("PRESENCE_JOB_MEMORY_S", "60")).jobs().jobMemory()).as("unset, no longer than the memory")
                .isEqualTo(new JobMemory(Duration.ofSeconds(60), Duration.ofSeconds(60)));
        assertThat(config(Map.of("PRESENCE_JOB_MEMORY_S", "60", "PRESENCE_JOB_DUPLICATE_WINDOW_S", "60")).jobs().jobMemory())
                .isEqualTo(new JobMemory(Duration.ofSeconds(60), Duration.ofSeconds(60)));
    }

    @Test
    void prefetchMustHoldABatch() {
        ConfigException e = error(Map.of("PRESENCE_BATCH_SIZE", "200", "RABBIT_MQ_PREFETCH", "100"));
        assertThat(e.getMessage())
                .isEqualTo("RABBIT_MQ_PREFETCH: the prefetch must be at least the batch size (200) and at most 65535, got 100");
        assertThat(config(with(services(), "PRESENCE_BATCH_SIZE", "500")).services().orElseThrow().rabbit().prefetch())
                .isEqualTo(500);
    }

    @Test
    void zeroKeepsIdleConnectionsAndHistory() {
        ServicesConfig services = config(with(services(), "DB_IDLE_TIMEOUT_MS", "0",
                "PRESENCE_HISTORY_RETENTION_DAYS", "0")).services().orElseThrow();
        assertThat(services.postgres().idleTimeout()).isZero();
        assertThat(services.retention().keepsForever()).isTrue();
    }

    @Test
    void anIdleTimeoutUnderTheFloorIsRaisedToTenSeconds() {
        assertThat(config(with(services(), "DB_IDLE_TIMEOUT_MS", "1")).services().orElseThrow().postgres().idleTimeout())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://alice:s3cret@host/|must start with amqp:// or amqps://",
            "alice:s3cret@host|must start with amqp:// or amqps://",
            "amqp://alice:s3cret@ho st/|is not a URI (Illegal character in authority); expected amqp://user:password@host:port/vhost",
            "amqp://alice:s3cret%zz@host/|is not a URI (Malformed escape pair); expected amqp://user:password@host:port/vhost",
            "amqp://alice:s3cret@/vhost|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:s3cret@host:port/|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:s3cret|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:s3cret@host:/|has an empty port",
            "amqp://alice:s3cret@host:99999/|has port 99999, not between 1 and 65535",
            "amqp://alice:s3cret@host/a/b|has a path of more than one segment; a vhost holding '/' is written %2F",
    })
    void anUnparsableConnectionStringIsAnErrorThatNeverShowsIt(String value, String problem) {
        for (Map<String, String> base : java.util.List.of(Map.of("PRESENCE_MODE", "embedded"), services())) {
            ConfigException e = error(with(base, "RABBIT_MQ_CONNECTION_STRING", value));
            assertThat(e.variable()).isEqualTo("RABBIT_MQ_CONNECTION_STRING");
            assertThat(e.problem()).isEqualTo("the connection string " + problem + " (value not shown: it may hold a password)");
            assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("alice");
        }
    }

    @Test
    void theConnectionStringIsTakenApartByTheAdapter() {
        AmqpEndpoint rabbit = config(with(services(), "RABBIT_MQ_CONNECTION_STRING",
                "amqps://pres%40ence:p%3Ass+w@rabbit.example:5999/relay%2Fbox")).services().orElseThrow().rabbit().endpoint();
        assertThat(rabbit).isEqualTo(new AmqpEndpoint(true, "rabbit.example", 5999, "pres@ence", "p:ss+w", "relay/box"));
        assertThat(rabbit.toString()).isEqualTo("amqps://pres@ence@rabbit.example:5999/relay%2Fbox");
    }

    @Test
    void aClusterIsItsNodesWithTheConnectionStringsCredentialsAndVhost() {
        RabbitSettings rabbit = config(with(services(), "RABBIT_MQ_CONNECTION_STRING", "amqp://u:p@rabbit-1:5673/relaybox",
                "RABBIT_MQ_ADDRESSES", "rabbit-1, rabbit-2:5680 ,rabbit-3", "RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE", "3",
                "RABBIT_MQ_HEARTBEAT_S", "5")).services().orElseThrow().rabbit();
        assertThat(rabbit.addresses()).containsExactly(new BrokerAddress("rabbit-1", 5673),
                new BrokerAddress("rabbit-2", 5680), new BrokerAddress("rabbit-3", 5673));
        assertThat(rabbit.endpoint().virtualHost()).isEqualTo("relaybox");
        assertThat(rabbit.quorumInitialGroupSize()).isEqualTo(3);
        assertThat(rabbit.heartbeat()).isEqualTo(Duration.ofSeconds(5));

        RabbitSettings single = config(services()).services().orElseThrow().rabbit();
        assertThat(single.addresses()).containsExactly(new BrokerAddress(single.endpoint().host(), single.endpoint().port()));
        assertThat(single.quorumInitialGroupSize()).isZero();
        assertThat(single.heartbeat()).isEqualTo(Duration.ofSeconds(2));

        ConfigException classic = error(with(services(), "RABBIT_MQ_QUEUE_TYPE", "classic",
                "RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE", "3"));
        assertThat(classic.variable()).isEqualTo("RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE");
        assertThat(classic.problem()).isEqualTo("the quorum initial group size applies to quorum queues only, but the queue "
                + "type is classic");
    }

    @Test
    void nonLoopbackHttpHostNeedsAToken() {
        ConfigException e = error(Map.of("PRESENCE_HTTP_HOST", "0.0.0.0"));
        assertThat(e.variable()).isEqualTo("PRESENCE_HTTP_HOST");
        assertThat(e.problem()).isEqualTo("'0.0.0.0' is not a loopback address, so PRESENCE_API_TOKEN must be set "
                + "(the API would be open to the network)");
        Config config = config(Map.of("PRESENCE_HTTP_HOST", "0.0.0.0", "PRESENCE_API_TOKEN", "t0ken"));
        assertThat(config.http().apiToken()).contains(new Secret("t0ken"));
        assertThat(config(Map.of("PRESENCE_HTTP_HOST", "localhost")).http().host()).isEqualTo("localhost");
        assertThat(config(Map.of("PRESENCE_HTTP_HOST", "::1")).http().host()).isEqualTo("::1");
        assertThat(config(Map.of("PRESENCE_HTTP_HOST", "127.0.0.2")).http().apiToken()).isEmpty();
    }

    @Test
    void anUnresolvableHttpHostIsAnError() {
        assertThat(error(Map.of("PRESENCE_HTTP_HOST", "no-such-host.invalid")).getMessage())
                .isEqualTo("PRESENCE_HTTP_HOST: cannot resolve 'no-such-host.invalid'");
    }

    @Test
    void sentinelNamesThePrimaryInsteadOfRedisHost() {
        Map<String, String> sentinel = without(services(), "REDIS_HOST");
        sentinel.put("REDIS_SENTINELS", "10.0.0.1:26379, sentinel-2:26380,[::1]:26381");
        sentinel.put("REDIS_SENTINEL_MASTER", "presence");
        sentinel.put("REDIS_SENTINEL_AUTH", "{\"authToken\":\"sentinel-s3cret\"}");
        sentinel.put("REDIS_AUTH", "redis-s3cret");
        Config config = config(sentinel);
        ServicesConfig services = config.services().orElseThrow();
        RedisEndpoint expected = RedisEndpoint.sentinel("presence", List.of(new RedisNode("10.0.0.1", 26379),
                        new RedisNode("sentinel-2", 26380), new RedisNode("::1", 26381)), Optional.of("sentinel-s3cret"),
                true, Optional.of("redis-s3cret"));
        assertThat(services.redis().endpoint()).isEqualTo(expected);
        assertThat(services.bullmq().endpoint()).isEqualTo(expected);
        assertThat(config.toString()).doesNotContain("s3cret");
        assertThat(config.modeReason()).isEqualTo("PRESENCE_MODE unset and REDIS_SENTINELS and RABBIT_MQ_CONNECTION_STRING are set");

        ConfigException alone = error(Map.of("REDIS_SENTINELS", "s:26379", "REDIS_SENTINEL_MASTER", "m"));
        assertThat(alone.variable()).isEqualTo("RABBIT_MQ_CONNECTION_STRING, DB_HOST, DB_NAME, DB_USER");
        assertThat(alone.getMessage()).endsWith("(services mode because PRESENCE_MODE unset and REDIS_SENTINELS is set)");
    }

    @Test
    void sentinelSettingsComeTogetherAndNotWithRedisHost() {
        Map<String, String> noMaster = with(without(services(), "REDIS_HOST"), "REDIS_SENTINELS", "s:26379");
        assertThat(error(noMaster).getMessage()).isEqualTo("REDIS_SENTINEL_MASTER: is not set, but REDIS_SENTINELS is: "
                + "Sentinel needs the name of the master it monitors too");
        Map<String, String> noSentinels = with(without(services(), "REDIS_HOST"), "REDIS_SENTINEL_MASTER", "m");
        assertThat(error(noSentinels).getMessage()).isEqualTo("REDIS_SENTINELS: is not set, but REDIS_SENTINEL_MASTER is: "
                + "Sentinel needs the Sentinels' host:port list too");
        Map<String, String> both = with(services(), "REDIS_SENTINELS", "s:26379", "REDIS_SENTINEL_MASTER", "m");
        assertThat(error(both).getMessage()).isEqualTo("REDIS_HOST: is set together with REDIS_SENTINELS: give one server "
                + "(REDIS_HOST, REDIS_PORT) or Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_MASTER), not both");
        Map<String, String> port = with(without(services(), "REDIS_HOST"), "REDIS_SENTINELS", "s:26379",
                "REDIS_SENTINEL_MASTER", "m", "REDIS_PORT", "6380");
        assertThat(error(port).variable()).isEqualTo("REDIS_PORT");
        assertThat(error(with(services(), "REDIS_SENTINEL_AUTH", "s3cret")).getMessage())
                .isEqualTo("REDIS_SENTINEL_AUTH: is set, but REDIS_SENTINELS is not: it is the Sentinels' password "
                        + "(value not shown: it is a secret)");
        Map<String, String> sentinel = with(without(services(), "REDIS_HOST"), "REDIS_SENTINEL_MASTER", "m");
        assertThat(error(with(sentinel, "REDIS_SENTINELS", "s")).getMessage()).isEqualTo("REDIS_SENTINELS: 's' is not host:port");
        assertThat(error(with(sentinel, "REDIS_SENTINELS", "s:26379,,t:26379")).getMessage())
                .isEqualTo("REDIS_SENTINELS: has an empty entry in 's:26379,,t:26379' (expected host:port,host:port,...)");
        assertThat(error(with(sentinel, "REDIS_SENTINELS", "s:26379,s:26379")).getMessage())
                .isEqualTo("REDIS_SENTINELS: names s:26379 twice");
        assertThat(error(with(sentinel, "REDIS_SENTINELS", "s:99999")).getMessage())
                .isEqualTo("REDIS_SENTINELS: 's:99999' has port 99999, not between 1 and 65535");
        assertThat(error(with(sentinel, "REDIS_SENTINELS", "s:26379", "REDIS_SENTINEL_MASTER", "my master")).getMessage())
                .isEqualTo("REDIS_SENTINEL_MASTER: the Sentinel master name must be 1 to 256 printable ASCII characters "
                        + "without spaces, got 'my master'");
        assertThat(error(with(services(), "PRESENCE_REDIS_WAIT_REPLICAS", "11")).getMessage())
                .isEqualTo("PRESENCE_REDIS_WAIT_REPLICAS: the replicas to wait for must be between 0 and 10, got 11");
        assertThat(error(with(services(), "PRESENCE_REDIS_WAIT_TIMEOUT_MS", "0")).getMessage())
                .isEqualTo("PRESENCE_REDIS_WAIT_TIMEOUT_MS: the replica wait timeout must be between 1 and 60000 ms, got 0");
    }

    @Test
    void redisAuthIsPlainOrRelayBoxJson() {
        assertThat(config(with(services(), "REDIS_AUTH", "pw")).services().orElseThrow().redis().endpoint().authToken())
                .contains("pw");
        assertThat(config(with(services(), "REDIS_AUTH", "{\"authToken\":\"tok\"}")).services().orElseThrow()
                .redis().endpoint().authToken()).contains("tok");
        ConfigException notJson = error(with(services(), "REDIS_AUTH", "{authToken: s3cret"));
        assertThat(notJson.variable()).isEqualTo("REDIS_AUTH");
        assertThat(notJson.getMessage()).doesNotContain("s3cret");
        assertThat(error(with(services(), "REDIS_AUTH", "{\"token\":\"s3cret\"}")).getMessage())
                .isEqualTo("REDIS_AUTH: is JSON without a non-empty string \"authToken\"").doesNotContain("s3cret");
    }

    @Test
    void servicesSettingsAreRead() {
        Config config = config(with(services(), "REDIS_PORT", "6380", "REDIS_TLS_DISABLED", "true",
                "DB_PORT", "5433", "DB_PASSWORD", "pw", "DB_MAX_CONNECTIONS", "7", "DB_IDLE_TIMEOUT_MS", "2000",
                "DB_TLS_DISABLED", "TRUE", "DB_PROXY_ENABLED", "true", "PRESENCE_DB_SCHEMA", "presence_it",
                "PRESENCE_HISTORY_RETENTION_DAYS", "7", "RABBIT_MQ_QUEUE_COUNT", "3", "RABBIT_MQ_QUEUE_TYPE", "classic",
                "PRESENCE_BATCH_SIZE", "100", "RABBIT_MQ_PREFETCH", "150", "PRESENCE_BATCH_MAX_WAIT_MS", "5",
                "PRESENCE_DISCONNECT_TOMBSTONE_S", "5", "PRESENCE_JOB_MEMORY_S", "3600", "PRESENCE_MAX_DATA_BYTES", "1024",
                "PRESENCE_JOB_DUPLICATE_WINDOW_S", "60",
                "PRESENCE_LIVENESS_TIMEOUT_S", "3", "PRESENCE_GHOST_SWEEP_INTERVAL_MS", "250", "PRESENCE_GHOST_SWEEP_BATCH", "50",
                "PRESENCE_HEARTBEAT_KEY", "relaybox:heartbeats", "PRESENCE_REDIS_WAIT_REPLICAS", "1",
                "PRESENCE_REDIS_WAIT_TIMEOUT_MS", "250",
                "LOG_LEVEL", "DEBUG", "LOCALHOST", "true"));
        ServicesConfig services = config.services().orElseThrow();
        JobMemory jobMemory = new JobMemory(Duration.ofHours(1), Duration.ofMinutes(1));
        assertThat(config.jobs()).isEqualTo(new JobConfig(1024, Duration.ofSeconds(5), jobMemory,
                new GhostSweeper.Settings(Duration.ofSeconds(3), Duration.ofMillis(250), 50)));
        assertThat(services.redis()).isEqualTo(new RedisSettings(RedisEndpoint.server("127.0.0.1", 6380, false, Optional.empty()),
                3 + 8, RedisSettings.DEFAULT_TIMEOUT, Duration.ofSeconds(5), jobMemory, "relaybox:heartbeats",
                new RedisSettings.ReplicaWait(1, Duration.ofMillis(250))));
        // 2000 ms is under the pool's floor of 10 s.
        assertThat(services.postgres()).isEqualTo(new PostgresSettings("127.0.0.1", 5433, "test", "postgres", "pw", 7,
                Duration.ofSeconds(10), true, true, "presence_it"));
        assertThat(services.retention()).isEqualTo(HistoryRetention.ofDays(7));
        assertThat(services.rabbit().queueCount()).isEqualTo(3);
        assertThat(services.rabbit().queueType()).isEqualTo(QueueType.CLASSIC);
        assertThat(services.rabbit().batchSize()).isEqualTo(100);
        assertThat(services.rabbit().prefetch()).isEqualTo(150);
        assertThat(services.rabbit().batchMaxWait()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.log()).isEqualTo(new LogConfig("debug", true));
    }

    @Test
    void secretsNeverShowInPrintedSettings() {
        Config config = config(with(services(), "DB_PASSWORD", "db-s3cret", "REDIS_AUTH", "redis-s3cret",
                "PRESENCE_API_TOKEN", "api-s3cret", "RABBIT_MQ_CONNECTION_STRING", "amqp://u:amqp-s3cret@h/v"));
        assertThat(config.toString()).doesNotContain("s3cret").contains("****");
    }

    @Test
    void bothIntakesRunByDefaultAndPresenceIntakesChoosesOneOrBoth() {
        ServicesConfig defaults = config(services()).services().orElseThrow();
        assertThat(defaults.intakes()).containsExactlyInAnyOrder(Intake.RABBITMQ, Intake.BULLMQ);
        assertThat(defaults.bullmq().keyBase()).isEqualTo("queue:presence:");
        assertThat(defaults.bullmq().lockDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.bullmq().stalledInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config(with(services(), "PRESENCE_INTAKES", " BullMQ ")).services().orElseThrow().intakes())
                .containsExactly(Intake.BULLMQ);
        ServicesConfig bull = config(with(services(), "PRESENCE_INTAKES", "rabbitmq", "PRESENCE_BULLMQ_PREFIX", "bull",
                "PRESENCE_BULLMQ_QUEUE", "jobs", "PRESENCE_BULLMQ_LOCK_DURATION_MS", "5000",
                "PRESENCE_BULLMQ_STALLED_INTERVAL_MS", "2000")).services().orElseThrow();
        assertThat(bull.intakes()).containsExactly(Intake.RABBITMQ);
        assertThat(bull.bullmq().keyBase()).isEqualTo("bull:jobs:");
        assertThat(bull.bullmq().lockDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(bull.bullmq().stalledInterval()).isEqualTo(Duration.ofSeconds(2));
    }
}
