package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * A subscriber of {@code ds.rooms.durable} as the realtime service would be: a durable queue bound
 * with one binding key, consumed with acknowledgements on a recovering connection (so it survives
 * the forced closes of the tests), keeping what arrived, once each, in arrival order.
 */
final class BroadcastCapture implements AutoCloseable {
    private final Connection connection;
    private final String queue = "capture-" + UUID.randomUUID();
    private final List<Received> received = new ArrayList<>();
    private final Set<String> bodies = new HashSet<>();

    record Received(String routingKey, String body, AMQP.BasicProperties properties) {
    }

    /** Subscribed to every room of the app, as the realtime service binds: {@code $$:<app>:<shard>} for each shard. */
    static BroadcastCapture ofApp(RabbitVhost broker, String app, int queueCount) {
        List<String> keys = new ArrayList<>();
        for (int shard = 0; shard < queueCount; shard++) keys.add("$$:" + app + ":" + shard);
        return new BroadcastCapture(broker, keys);
    }

    /** Subscribed to everything ({@code #}; topic words are split at dots, and these keys have none). */
    static BroadcastCapture ofAll(RabbitVhost broker) {
        return new BroadcastCapture(broker, List.of("#"));
    }

    private BroadcastCapture(RabbitVhost broker, List<String> bindingKeys) {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(500);
        try {
            connection = factory.newConnection("it-capture");
            Channel channel = connection.createChannel();
            channel.exchangeDeclare(Topology.BROADCAST_EXCHANGE, BuiltinExchangeType.TOPIC, true);
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "classic"));
            for (String key : bindingKeys) channel.queueBind(queue, Topology.BROADCAST_EXCHANGE, key);
            channel.basicQos(500);
            channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    String text = new String(body, StandardCharsets.UTF_8);
                    synchronized (received) {
                        if (bodies.add(text)) received.add(new Received(envelope.getRoutingKey(), text, properties));
                    }
                    try {
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    } catch (IOException | AlreadyClosedException e) {
                        // closed by a test: the broker redelivers it and it is kept once
                    }
                }
            });
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What arrived once {@code count} broadcasts have, or at the deadline. */
    List<Received> await(int count, Duration timeout) {
        return Poll.until(timeout, () -> {
            synchronized (received) {
                return received.size() >= count ? List.copyOf(received) : null;
            }
        }, this::all);
    }

    List<Received> all() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    List<String> bodies() {
        return all().stream().map(Received::body).toList();
    }

    @Override
    public void close() {
        try {
            connection.close(2_000);
        } catch (IOException | RuntimeException ignored) {
            connection.abort();
        }
    }
}
