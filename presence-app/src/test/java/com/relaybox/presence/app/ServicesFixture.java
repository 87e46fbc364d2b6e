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
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The real services, isolated for one test: a RabbitMQ virtual host of its own (deleted after),
 * an app id of its own (every Redis key of its rooms and connections carries it; deleted after, with
 * the job-id keys of its job ids), and a PostgreSQL schema of its own (dropped after).
 */
final class ServicesFixture implements AutoCloseable {
    static final int QUEUE_COUNT = 5;

    final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    final String vhost = "presence-app-it-" + id;
    final String appPid = "appit" + id;
    final String schema = "presence_app_it_" + id;
    final String jobPrefix = "app-it-" + id + "-";
    final RedisClient redis = RedisClient.builder().hostAndPort("127.0.0.1", 6379).build();
    private final List<AutoCloseable> opened = new ArrayList<>();

    ServicesFixture() {
        rabbitmqctl("add_vhost", vhost);
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
    }

    /** The jar's configuration for these services; the HTTP port is any free one. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_HOST", "127.0.0.1");
        env.put("REDIS_TLS_DISABLED", "true");
        env.put("RABBIT_MQ_CONNECTION_STRING", "amqp://guest:guest@127.0.0.1:5672/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8));
        env.put("DB_HOST", "127.0.0.1");
        env.put("DB_NAME", "test");
        env.put("DB_USER", "postgres");
        env.put("DB_TLS_DISABLED", "true");
        env.put("PRESENCE_DB_SCHEMA", schema);
        env.put("PRESENCE_HTTP_PORT", "0");
        return env;
    }

    RabbitSettings rabbitSettings() {
        return RabbitSettings.of("amqp://guest:guest@127.0.0.1:5672/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8))
                .withQueueCount(QUEUE_COUNT).withConnectionName("app-it");
    }

    /** The job publisher other RelayBox services embed; declares the topology, so jobs published before the service starts wait. */
    PresenceJobPublisher publisher() {
        PresenceJobPublisher publisher = new PresenceJobPublisher(rabbitSettings());
        opened.add(publisher);
        return publisher;
    }

    Connection connection() throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setVirtualHost(vhost);
        Connection connection = factory.newConnection("app-it-test");
        opened.add(connection);
        return connection;
    }

    /** One broadcast as the realtime service would receive it. */
    record Broadcast(String routingKey, JsonObject body) {
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
    ConcurrentLinkedQueue<Broadcast> listen() throws IOException, TimeoutException {
        Channel channel = connection().createChannel();
        channel.exchangeDeclare("ds.rooms.durable", BuiltinExchangeType.TOPIC, true);
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        for (int shard = 0; shard < QUEUE_COUNT; shard++)
            channel.queueBind(queue, "ds.rooms.durable", "$$:" + appPid + ":" + shard);
        ConcurrentLinkedQueue<Broadcast> received = new ConcurrentLinkedQueue<>();
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                received.add(new Broadcast(envelope.getRoutingKey(),
                        JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject()));
            }
        });
        return received;
    }

    /** Messages ready in a queue of this vhost. */
    long depth(String queue) throws IOException, TimeoutException {
        try (Channel channel = connection().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    long jobsWaiting() throws IOException, TimeoutException {
        long total = 0;
        for (int shard = 0; shard < QUEUE_COUNT; shard++) total += depth("presence-" + shard);
        return total;
    }

    /** Keys matching a pattern, by SCAN (never KEYS on a shared server). */
    List<String> keys(String pattern) {
        List<String> keys = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.scan(cursor, new ScanParams().match(pattern).count(1000));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    /** {@code count(*)} and {@code count(distinct job_id)} of this app's history rows. */
    long[] historyCounts() throws SQLException {
        try (java.sql.Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*), count(DISTINCT (job_id, event_index)) FROM "
                     + schema + ".presence_event WHERE app = '" + appPid + "'")) {
            rows.next();
            return new long[]{rows.getLong(1), rows.getLong(2)};
        }
    }

    /** Polls until the condition holds; fails at the deadline. */
    static void await(String what, Duration within, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(within);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within " + within + ": " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // between polls
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable resource : opened) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // the vhost goes anyway
            }
        }
        for (String pattern : List.of("presence:" + appPid + ":*", "connection:" + appPid + ":*",
                "presence-tombstone:" + appPid + ":*", "presence-job:" + jobPrefix + "*")) {
            List<String> keys = keys(pattern);
            for (int i = 0; i < keys.size(); i += 500)
                redis.del(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
        }
        redis.close();
        try (java.sql.Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        rabbitmqctl("delete_vhost", vhost);
    }

    static String rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
