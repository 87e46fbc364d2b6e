package com.relaybox.presence.app;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.relaybox.presence.adapter.bullmq.BullMqQueue;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.testkit.PostgresSchema;
import com.relaybox.presence.testkit.RabbitVhost;
import com.relaybox.presence.testkit.RedisKeys;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;

/**
 * The real services, isolated for one test: a RabbitMQ virtual host of its own (deleted after),
 * an app id of its own (every Redis key of its rooms and connections carries it; deleted after, with
 * the job-id keys of its job ids), and a PostgreSQL schema of its own (dropped after).
 */
final class ServicesFixture implements AutoCloseable {
    static final int QUEUE_COUNT = 5;
    static final java.time.Duration LONG_WINDOW = java.time.Duration.ofHours(1);

    final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    final String appPid = "appit" + id;
    final String jobPrefix = "app-it-" + id + "-";
    final RabbitVhost vhost = RabbitVhost.named("app").create();
    final PostgresSchema schema = PostgresSchema.named("app").create();
    final RedisClient redis = RedisClient.builder().hostAndPort("127.0.0.1", 6379).build();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<String> bullMqPrefixes = new ArrayList<>();
    private final List<String> alsoDeleted = new ArrayList<>();

    /** The jar's configuration for these services; the HTTP port is any free one. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_HOST", "127.0.0.1");
        env.put("REDIS_TLS_DISABLED", "true");
        env.put("RABBIT_MQ_CONNECTION_STRING", vhost.uri());
        env.put("DB_HOST", "127.0.0.1");
        env.put("DB_NAME", "test");
        env.put("DB_USER", "postgres");
        env.put("DB_TLS_DISABLED", "true");
        env.put("PRESENCE_DB_SCHEMA", schema.name());
        env.put("PRESENCE_HTTP_PORT", "0");
        env.put("PRESENCE_HEARTBEAT_KEY", heartbeatKey());
        // The BullMQ intake runs by default: on a queue of this test's own, never RelayBox's queue:presence.
        env.put("PRESENCE_BULLMQ_PREFIX", bullMqPrefix());
        return env;
    }

    /** The BullMQ key prefix of the queue {@link #env()} consumes when a test does not give one. */
    /** Redis keys of the test's own beyond those this fixture knows, deleted with them. */
    void alsoDelete(String pattern) {
        alsoDeleted.add(pattern);
    }

    /** The fencing-token keys of this vhost's shard queues, on any broker. */
    String shardFenceKeys() {
        return "presence-fence:rabbitmq:*:" + URLEncoder.encode(vhost.name(), StandardCharsets.UTF_8) + ":presence-*";
    }

    String bullMqPrefix() {
        return "it-" + appPid;
    }

    /**
     * A BullMQ queue of this test's own (a key prefix of its own) in the Redis at {@code port}, the
     * real bullmq producer feeding it; its keys, and the job-id keys of its jobs, are deleted after.
     */
    BullMqQueue bullMq(int port) {
        BullMqQueue queue = new BullMqQueue("127.0.0.1", port);
        opened.add(queue);
        bullMqPrefixes.add(queue.prefix);
        return queue;
    }

    /**
     * {@link #env()} consuming that queue (besides the RabbitMQ shards) with a lock duration of 2 s,
     * so a killed instance's jobs and lease move on in seconds, and a duplicate window of
     * {@link #LONG_WINDOW}, longer than any test, so every job's memory is still there to be counted.
     */
    Map<String, String> env(BullMqQueue queue, int redisPort) {
        Map<String, String> env = env();
        env.put("PRESENCE_JOB_DUPLICATE_WINDOW_S", Long.toString(LONG_WINDOW.toSeconds()));
        env.put("REDIS_PORT", Integer.toString(redisPort));
        env.put("PRESENCE_BULLMQ_PREFIX", queue.prefix);
        env.put("PRESENCE_BULLMQ_LOCK_DURATION_MS", "2000");
        env.put("PRESENCE_BULLMQ_STALLED_INTERVAL_MS", "1000");
        return env;
    }

    /** The heartbeats of this test's own, in place of RelayBox's {@code heartbeat:keepalive}; the sweeper's keys are named after it. */
    String heartbeatKey() {
        return "heartbeat:" + appPid;
    }

    RabbitSettings rabbitSettings() {
        return RabbitSettings.of(vhost.uri())
                .withQueueCount(QUEUE_COUNT).withConnectionName("app-it");
    }

    /** The job publisher other RelayBox services embed; declares the topology, so jobs published before the service starts wait. */
    PresenceJobPublisher publisher() {
        PresenceJobPublisher publisher = new PresenceJobPublisher(rabbitSettings());
        opened.add(publisher);
        return publisher;
    }

    /** One broadcast as the realtime service would receive it: its routing key, its body as sent and parsed. */
    record Broadcast(String routingKey, String raw, JsonObject body) {
        String room() {
            return body.get("nspRoomId").getAsString();
        }

        JsonObject data() {
            return body.getAsJsonObject("data");
        }
    }

    /**
     * Listens, as the realtime service does, to every broadcast of this app: a queue bound to
     * {@code ds.rooms.durable} with {@code $$:<appPid>:<shard>} for every shard. Bound before the
     * service starts, since a broadcast nobody listens to is dropped.
     */
    ConcurrentLinkedQueue<Broadcast> listen() throws IOException {
        return listen(vhost.connection(), "", true);
    }

    /**
     * {@link #listen()} through connection losses (a test closing every connection of the vhost):
     * the queue is named and outlives the connection, which recovers and consumes it again, so the
     * broadcasts sent meanwhile wait for it.
     */
    ConcurrentLinkedQueue<Broadcast> listenThroughConnectionLoss() throws IOException {
        ConnectionFactory factory = vhost.connectionFactory();
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(200);
        try {
            return listen(factory.newConnection("it-broadcasts"), "it-broadcasts", false);
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    private ConcurrentLinkedQueue<Broadcast> listen(Connection connection, String name, boolean exclusive) throws IOException {
        opened.add(connection);
        Channel channel = connection.createChannel();
        channel.exchangeDeclare("ds.rooms.durable", BuiltinExchangeType.TOPIC, true);
        String queue = channel.queueDeclare(name, false, exclusive, exclusive, null).getQueue();
        for (int shard = 0; shard < QUEUE_COUNT; shard++)
            channel.queueBind(queue, "ds.rooms.durable", "$$:" + appPid + ":" + shard);
        ConcurrentLinkedQueue<Broadcast> received = new ConcurrentLinkedQueue<>();
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                String raw = new String(body, StandardCharsets.UTF_8);
                received.add(new Broadcast(envelope.getRoutingKey(), raw, JsonParser.parseString(raw).getAsJsonObject()));
            }
        });
        return received;
    }

    long jobsWaiting() {
        long total = 0;
        for (int shard = 0; shard < QUEUE_COUNT; shard++) total += vhost.ready("presence-" + shard);
        return total;
    }

    /** {@code count(*)} and {@code count(distinct job_id)} of this app's history rows. */
    long[] historyCounts() throws SQLException {
        try (java.sql.Connection connection = PostgresSchema.connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*), count(DISTINCT (job_id, event_index)) FROM "
                     + schema.name() + ".presence_event WHERE app = '" + appPid + "'")) {
            rows.next();
            return new long[]{rows.getLong(1), rows.getLong(2)};
        }
    }

    @Override
    public void close() {
        for (AutoCloseable resource : opened) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // the vhost goes anyway
            }
        }
        RedisKeys.deleteMatching(redis, "presence:" + appPid + ":*", "connection:" + appPid + ":*",
                "presence-tombstone:" + appPid + ":*", "presence-job:" + jobPrefix + "*", "presence-job:ghost:*" + appPid + "*");
        for (String prefix : bullMqPrefixes)
            RedisKeys.deleteMatching(redis, "presence-job:" + prefix + ":*", "presence-fence:bullmq:" + prefix + ":*");
        RedisKeys.deleteMatching(redis, shardFenceKeys(), "presence-fence:bullmq:" + bullMqPrefix() + ":*");
        for (String pattern : alsoDeleted) RedisKeys.deleteMatching(redis, pattern);
        RedisKeys.deleteMatching(redis, bullMqPrefix() + ":*");
        RedisKeys.delete(redis, List.of(heartbeatKey(), "presence-sweeper:" + heartbeatKey(),
                "presence-unconfirmed:" + heartbeatKey()));
        redis.close();
        schema.close();
        vhost.close();
    }
}
