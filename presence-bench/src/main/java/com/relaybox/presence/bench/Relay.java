package com.relaybox.presence.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for the presence service with the least any such service must do with the broker,
 * to measure the floor under presence's latency with the same generator and protocol: consume
 * each shard queue (manual acknowledgement, prefetch 400), publish each job's body unchanged as
 * its broadcast (transient, to {@code ds.rooms.durable}, with confirms), and acknowledge jobs
 * once their broadcasts are confirmed. No Redis, no history, no parsing beyond finding the app id.
 * The generator's Redis check then fails by design: the relay keeps no presence.
 *
 * <p>Usage: {@code java -cp presence-bench.jar com.relaybox.presence.bench.Relay AMQP_URI [QUEUES]};
 * runs until killed.
 */
public final class Relay {
    private static final byte[] ROOM_KEY = "\"nspRoomId\":\"".getBytes(StandardCharsets.UTF_8);
    private static final AMQP.BasicProperties BROADCAST = new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(1).build();

    private Relay() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Relay AMQP_URI [QUEUES]");
            System.exit(2);
        }
        String uri = args[0];
        int queues = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        // The job publisher declares the exchanges and shard queues, as the service would.
        new PresenceJobPublisher(RabbitSettings.of(uri).withQueueCount(queues).withConnectionName("relay-setup")).close();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        Connection consuming = factory.newConnection("relay-consumer");
        Connection publishing = factory.newConnection("relay-publisher");
        for (int shard = 0; shard < queues; shard++) relay(shard, consuming.createChannel(), publishing.createChannel());
        System.err.println("relay: consuming presence-0..presence-" + (queues - 1));
        new CountDownLatch(1).await();
    }

    /** One shard: each delivery published as it comes; acknowledged up to the last delivery whose broadcast is confirmed. */
    private static void relay(int shard, Channel jobs, Channel broadcasts) throws IOException {
        jobs.basicQos(400);
        broadcasts.confirmSelect();
        ConcurrentSkipListMap<Long, Long> tagBySeq = new ConcurrentSkipListMap<>();
        broadcasts.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long seq, boolean multiple) throws IOException {
                // Deliveries and publishes go in the same order, so the last confirmed publish covers all before it.
                Map.Entry<Long, Long> last = tagBySeq.floorEntry(seq);
                if (last == null) return;
                jobs.basicAck(last.getValue(), true);
                tagBySeq.headMap(seq, true).clear();
            }

            @Override
            public void handleNack(long seq, boolean multiple) {
                throw new IllegalStateException("the broker refused a broadcast; the relay has no retry");
            }
        });
        jobs.basicConsume("presence-" + shard, false, new DefaultConsumer(jobs) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                tagBySeq.put(broadcasts.getNextPublishSeqNo(), envelope.getDeliveryTag());
                broadcasts.basicPublish("ds.rooms.durable", "$$:" + app(body) + ":" + shard, false, BROADCAST, body);
            }
        });
    }

    /** The app id of the job's {@code nspRoomId}, found by scanning: the part before its first colon. */
    private static String app(byte[] body) {
        outer:
        for (int at = 0; at <= body.length - ROOM_KEY.length; at++) {
            for (int i = 0; i < ROOM_KEY.length; i++)
                if (body[at + i] != ROOM_KEY[i]) continue outer;
            int from = at + ROOM_KEY.length;
            int to = from;
            while (to < body.length && body[to] != ':' && body[to] != '"') to++;
            return new String(body, from, to - from, StandardCharsets.UTF_8);
        }
        return "";
    }
}
