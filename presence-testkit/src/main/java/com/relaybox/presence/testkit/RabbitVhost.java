package com.relaybox.presence.testkit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A virtual host of its own on the shared broker at 127.0.0.1:5672, for user guest, deleted with
 * everything in it afterwards (see {@link ServerFixture} for when); and what the tests do to it
 * with rabbitmqctl. Never touches another virtual host.
 */
public final class RabbitVhost extends ServerFixture {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;
    private static final Pattern CONNECTION_NAME = Pattern.compile("\\{\"connection_name\",\"([^\"]*)\"}");

    private final String name;

    private RabbitVhost(String name) {
        this.name = name;
    }

    /** Not made yet: {@code purpose} goes into the name, so a vhost left behind tells whose it was. */
    public static RabbitVhost named(String purpose) {
        return new RabbitVhost("presence-it-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Override
    public RabbitVhost create() {
        super.create();
        return this;
    }

    @Override
    void make() {
        Rabbitmqctl.run("add_vhost", name);
        Rabbitmqctl.run("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
    }

    @Override
    void remove() {
        Rabbitmqctl.run("delete_vhost", name);
    }

    public String name() {
        return name;
    }

    /** The AMQP URI of this virtual host, as guest. */
    public String uri() {
        return "amqp://guest:guest@" + HOST + ":" + PORT + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** A factory for this virtual host, without automatic recovery: a test that wants it turns it on. */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(HOST);
        factory.setPort(PORT);
        factory.setVirtualHost(name);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** A plain connection of the test's own, for looking at queues and publishing around the code under test. */
    public Connection connection() {
        try {
            return connectionFactory().newConnection("it-raw");
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs something on a fresh channel (in confirm mode) of a fresh plain connection, then waits
     * for the confirms of whatever it published: a test never races its own publishes.
     */
    public <T> T withChannel(ChannelWork<T> work) {
        try (Connection connection = connection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            T result = work.run(channel);
            if (channel.isOpen()) channel.waitForConfirmsOrDie(10_000);
            return result;
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public interface ChannelWork<T> {
        T run(Channel channel) throws IOException;
    }

    /** Messages of the queue ready for delivery: neither delivered nor waiting for an acknowledgement. */
    public long ready(String queue) {
        return withChannel(channel -> (long) channel.queueDeclarePassive(queue).getMessageCount());
    }

    /** Closes, as the broker would on a network failure, every connection of this virtual host. */
    public void closeAllConnections() {
        Rabbitmqctl.run("close_all_connections", "--vhost", name, "--limit", "1000", "closed by a test");
    }

    /** The broker's ids of the connections of this virtual host whose client-provided name starts with the prefix. */
    public List<String> connectionsNamed(String namePrefix) {
        String listing = Rabbitmqctl.run("list_connections", "-q", "--no-table-headers", "vhost", "pid", "client_properties");
        List<String> pids = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] columns = line.split("\t");
            if (columns.length < 3 || !columns[0].equals(name)) continue;
            Matcher matcher = CONNECTION_NAME.matcher(columns[2]);
            if (matcher.find() && matcher.group(1).startsWith(namePrefix)) pids.add(columns[1]);
        }
        return pids;
    }

    /** Closes one connection, as the broker does when its client vanishes. */
    public void closeConnection(String pid) {
        Rabbitmqctl.run("close_connection", pid, "killed by a test");
    }

    /** The queues, consumers and connections of this virtual host as the broker sees them, for failure messages. */
    public String describe() {
        return "queues:\n" + Rabbitmqctl.run("list_queues", "-p", name, "-q", "name", "type", "messages_ready",
                "messages_unacknowledged", "consumers")
                + "consumers:\n" + Rabbitmqctl.run("list_consumers", "-p", name, "-q", "queue_name", "channel_pid",
                "consumer_tag", "active", "activity_status", "prefetch_count")
                + "connections:\n" + Rabbitmqctl.run("list_connections", "-q", "vhost", "pid", "client_properties")
                .lines().filter(line -> line.startsWith(name + "\t")).map(line -> line.replaceAll(",\\{\"product\".*", ""))
                .reduce("", (a, b) -> a + b + "\n");
    }
}
