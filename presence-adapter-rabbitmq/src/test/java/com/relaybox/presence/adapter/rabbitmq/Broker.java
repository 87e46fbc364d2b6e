package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeoutException;

/**
 * A virtual host of its own on the shared broker at 127.0.0.1:5672, created with rabbitmqctl and
 * deleted (with everything in it) on close; and the rabbitmqctl commands the tests use on it.
 * Never touches another virtual host. Public for the tests of the history package.
 */
public final class Broker implements AutoCloseable {
    final String vhost;

    private Broker(String vhost) {
        this.vhost = vhost;
    }

    public static Broker newVhost(String purpose) {
        Broker broker = new Broker("presence-it-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8));
        rabbitmqctl("add_vhost", broker.vhost);
        rabbitmqctl("set_permissions", "-p", broker.vhost, "guest", ".*", ".*", ".*");
        return broker;
    }

    public RabbitSettings settings() {
        return RabbitSettings.of("amqp://guest:guest@127.0.0.1:5672/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8))
                .withConnectionName("it");
    }

    /** A plain connection of the test's own (no recovery), for looking at queues. */
    public Connection rawConnection() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        factory.setVirtualHost(vhost);
        factory.setAutomaticRecoveryEnabled(false);
        try {
            return factory.newConnection("it-raw");
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs something on a fresh channel (in confirm mode) of a fresh plain connection, then waits
     * for the confirms of whatever it published: a test never races its own publishes.
     */
    <T> T withChannel(ChannelWork<T> work) {
        try (Connection connection = rawConnection(); Channel channel = connection.createChannel()) {
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

    interface ChannelWork<T> {
        T run(Channel channel) throws IOException;
    }

    /** Closes, as the broker would on a network failure, every connection of this virtual host. */
    void closeAllConnections() {
        rabbitmqctl("close_all_connections", "--vhost", vhost, "--limit", "1000", "closed by a test");
    }

    /** The broker's ids of the connections of this virtual host whose client-provided name starts with the prefix. */
    public List<String> connectionsNamed(String namePrefix) {
        String listing = rabbitmqctl("list_connections", "-q", "--no-table-headers", "vhost", "pid", "client_properties");
        Pattern name = Pattern.compile("\\{\"connection_name\",\"([^\"]*)\"}");
        List<String> pids = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] columns = line.split("\t");
            if (columns.length < 3 || !columns[0].equals(vhost)) continue;
            Matcher matcher = name.matcher(columns[2]);
            if (matcher.find() && matcher.group(1).startsWith(namePrefix)) pids.add(columns[1]);
        }
        return pids;
    }

    /** The queues and consumers of this virtual host as the broker sees them, for failure messages. */
    String describe() {
        return "queues:\n" + rabbitmqctl("list_queues", "-p", vhost, "-q", "name", "type", "messages_ready",
                "messages_unacknowledged", "consumers")
                + "consumers:\n" + rabbitmqctl("list_consumers", "-p", vhost, "-q", "queue_name", "channel_pid",
                "consumer_tag", "active", "activity_status", "prefetch_count")
                + "connections:\n" + rabbitmqctl("list_connections", "-q", "vhost", "pid", "client_properties")
                .lines().filter(line -> line.startsWith(vhost + "\t")).map(line -> line.replaceAll(",\\{\"product\".*", ""))
                .reduce("", (a, b) -> a + b + "\n");
    }

    /** Messages of the queue ready for delivery: neither delivered nor waiting for an acknowledgement. */
    long ready(String queue) {
        return withChannel(channel -> (long) channel.queueDeclarePassive(queue).getMessageCount());
    }

    /** Closes one connection, as the broker does when its client vanishes. */
    public void closeConnection(String pid) {
        rabbitmqctl("close_connection", pid, "killed by a test");
    }

    @Override
    public void close() {
        rabbitmqctl("delete_vhost", vhost);
    }

    static String rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("rabbitmqctl did not finish: " + command);
            }
            if (process.exitValue() != 0)
                throw new IllegalStateException("rabbitmqctl failed (" + process.exitValue() + "): " + command + "\n" + output);
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
