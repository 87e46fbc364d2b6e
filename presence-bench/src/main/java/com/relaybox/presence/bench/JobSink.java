package com.relaybox.presence.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Shard;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/** Publishes generated jobs to the shard queues (CONTRACT §2) and waits for the broker's confirms. */
final class JobSink implements AutoCloseable {
    private final Channel channel;
    private final int queueCount;
    private final JobBodies bodies;

    private JobSink(Channel channel, int queueCount, JobBodies bodies) {
        this.channel = channel;
        this.queueCount = queueCount;
        this.bodies = bodies;
    }

    static JobSink open(Connection connection, int queueCount, JobBodies bodies) throws IOException {
        Channel channel = connection.createChannel();
        channel.confirmSelect();
        return new JobSink(channel, queueCount, bodies);
    }

    void publish(List<BenchJob> jobs) throws IOException, InterruptedException, TimeoutException {
        for (BenchJob job : jobs) {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .type(job.type().wireName()).messageId(UUID.randomUUID().toString())
                    .contentType("application/json").deliveryMode(2).timestamp(new java.util.Date()).build();
            String shard = Integer.toString(Shard.of(NspRoomId.parse(bodies.room(job.room())), queueCount));
            channel.basicPublish("ds.presence.durable", shard, properties, bodies.body(job));
        }
        channel.waitForConfirmsOrDie(30_000);
    }

    @Override
    public void close() throws Exception {
        if (channel.isOpen()) channel.close();
    }
}
