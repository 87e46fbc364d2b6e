package com.relaybox.presence.app;

import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.relaybox.presence.testkit.RabbitCluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The broadcasts of a test's app on a {@link RabbitCluster}, as the realtime service would receive
 * them, through node losses: a quorum queue of its own (its messages survive a node), consumed with
 * manual acknowledgement by a recovering connection to any node.
 */
final class ClusterBroadcasts implements AutoCloseable {
    final ConcurrentLinkedQueue<ServicesFixture.Broadcast> received = new ConcurrentLinkedQueue<>();
    private final Connection connection;

    ClusterBroadcasts(List<RabbitCluster.Node> nodes, String appPid) throws Exception {
        this(nodes, appPid, broadcast -> {
        });
    }

    /** {@code onEach} sees every broadcast as it arrives, on the client's delivery thread. */
    ClusterBroadcasts(List<RabbitCluster.Node> nodes, String appPid, Consumer<ServicesFixture.Broadcast> onEach)
            throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(500);
        connection = factory.newConnection(nodes.stream().map(node -> new Address("127.0.0.1", node.amqpPort)).toList(),
                "it-broadcasts");
        Channel channel = connection.createChannel();
        channel.exchangeDeclare("ds.rooms.durable", "topic", true);
        channel.queueDeclare("it-broadcasts", true, false, false, Map.of("x-queue-type", "quorum"));
        for (int shard = 0; shard < ServicesFixture.QUEUE_COUNT; shard++)
            channel.queueBind("it-broadcasts", "ds.rooms.durable", "$$:" + appPid + ":" + shard);
        channel.basicQos(500);
        channel.basicConsume("it-broadcasts", false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                String raw = new String(body, StandardCharsets.UTF_8);
                ServicesFixture.Broadcast broadcast = new ServicesFixture.Broadcast(envelope.getRoutingKey(), raw,
                        JsonParser.parseString(raw).getAsJsonObject());
                received.add(broadcast);
                onEach.accept(broadcast);
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
    }

    int size() {
        return received.size();
    }

    long distinctSeqs() {
        return received.stream().map(b -> b.room() + "#" + b.data().getAsJsonObject("data").get("seq")).distinct().count();
    }

    @Override
    public void close() throws IOException {
        connection.abort(5_000);
    }
}
