package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The topology of CONTRACT §2, declared at start, and what happens when the broker holds another one. */
class TopologyIT {
    @RegisterExtension
    final RabbitVhost broker = RabbitVhost.named("topology");
    private final PresenceJobs jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES),
            new InMemoryPresenceStore(), new InMemoryBroadcaster(), new InMemoryHistory(), TimeSource.system());

    @Test
    void aShardQueueThatExistsWithAnotherTypeStopsTheStartWithAMessageNamingItAndTheMismatch() {
        broker.withChannel(channel -> channel.queueDeclare("presence-2", true, false, false, Map.of("x-queue-type", "classic")));

        assertThatThrownBy(() -> RabbitJobConsumer.consume(TestSettings.of(broker), jobs))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue 'presence-2' already exists with other arguments than this service declares")
                .hasMessageContaining("x-queue-type=quorum")
                .hasMessageContaining("PRECONDITION_FAILED - inequivalent arg")
                .hasMessageContaining(broker.name());
        assertThatThrownBy(() -> new PresenceJobPublisher(TestSettings.of(broker)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue 'presence-2'");
        assertThat(Poll.until(Duration.ofSeconds(10), () -> broker.connectionsNamed("it-").isEmpty()))
                .as("no connection is left behind").isTrue();
    }

    @Test
    void aShardQueueWithoutSingleActiveConsumerStopsTheStart() {
        broker.withChannel(channel -> channel.queueDeclare("presence-0", true, false, false,
                Map.of("x-queue-type", "quorum", "x-dead-letter-exchange", "ds.presence.dlx")));

        assertThatThrownBy(() -> RabbitJobConsumer.consume(TestSettings.of(broker), jobs))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue 'presence-0'")
                .hasMessageContaining("x-single-active-consumer");
    }

    @Test
    void anExchangeOfAnotherTypeStopsTheStart() {
        broker.withChannel(channel -> channel.exchangeDeclare("ds.rooms.durable", "fanout", true));

        assertThatThrownBy(() -> new RabbitBroadcaster(TestSettings.of(broker)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exchange 'ds.rooms.durable' already exists with other properties")
                .hasMessageContaining("type topic");
    }

    @Test
    void theTopologyIsDeclaredIdempotentlyAndRoutesEachShardKeyToItsQueue() {
        RabbitSettings settings = TestSettings.of(broker).withQueueCount(3).withQueueType(QueueType.CLASSIC);
        try (PresenceJobPublisher publisher = new PresenceJobPublisher(settings)) {
            RabbitJobConsumer.consume(settings, jobs).close();     // declares it again, then goes
        }
        try (PresenceJobPublisher again = new PresenceJobPublisher(settings)) {
            assertThat(again).isNotNull();
        }

        broker.withChannel(channel -> {
            for (int shard = 0; shard < 3; shard++)
                channel.basicPublish("ds.presence.durable", Integer.toString(shard), null, ("to " + shard).getBytes(StandardCharsets.UTF_8));
            channel.basicPublish("ds.presence.dlx", "anything", null, "dead".getBytes(StandardCharsets.UTF_8));
            return null;
        });
        broker.withChannel(channel -> {
            for (int shard = 0; shard < 3; shard++) {
                String queue = "presence-" + shard;
                assertThat(Poll.until(Duration.ofSeconds(10), () -> count(queue) == 1)).as(queue).isTrue();
                assertThat(new String(channel.basicGet(queue, true).getBody(), StandardCharsets.UTF_8)).isEqualTo("to " + shard);
            }
            assertThat(Poll.until(Duration.ofSeconds(10), () -> count("presence-dlq") == 1)).isTrue();
            channel.exchangeDeclarePassive("ds.rooms.durable");
            channel.exchangeDeclarePassive("ds.presence.durable");
            // Declared again with the same arguments: accepted, so these are the arguments it has.
            channel.queueDeclare("presence-1", true, false, false, Topology.shardQueueArguments(QueueType.CLASSIC));
            return null;
        });
    }

    /**
     * A deployment whose queues were created without an initial group size (or with another one)
     * starts as before with one set: the size counts only for queues created now, and every other
     * argument is still held to what the service declares.
     */
    @Test
    void theQuorumInitialGroupSizeGoesOnNewQueuesAndDoesNotBreakExistingOnes() {
        Map<String, Object> shard = Topology.shardQueueArguments(QueueType.QUORUM);
        broker.withChannel(channel -> channel.queueDeclare("presence-0", true, false, false, shard));
        Map<String, Object> createdWithFive = new java.util.HashMap<>(shard);
        createdWithFive.put("x-quorum-initial-group-size", 5);
        broker.withChannel(channel -> channel.queueDeclare("presence-1", true, false, false, createdWithFive));

        RabbitSettings settings = TestSettings.of(broker).withQueueCount(3).withQuorumInitialGroupSize(3);
        RabbitJobConsumer.consume(settings, jobs).close();
        try (PresenceJobPublisher publisher = new PresenceJobPublisher(settings)) {
            assertThat(publisher).isNotNull();
        }
        // Declared again exactly as the service declared each: accepted, so these are the arguments each has.
        broker.withChannel(channel -> {
            channel.queueDeclare("presence-0", true, false, false, shard);
            channel.queueDeclare("presence-1", true, false, false, createdWithFive);
            Map<String, Object> createdNow = new java.util.HashMap<>(shard);
            createdNow.put("x-quorum-initial-group-size", 3);
            channel.queueDeclare("presence-2", true, false, false, createdNow);
            return null;
        });

        // A queue that differs in another argument still stops the start, with the group size in the message.
        broker.withChannel(channel -> channel.queueDelete("presence-2"));
        broker.withChannel(channel -> channel.queueDeclare("presence-2", true, false, false, Map.of("x-queue-type", "quorum")));
        assertThatThrownBy(() -> RabbitJobConsumer.consume(settings, jobs))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue 'presence-2' already exists with other arguments")
                .hasMessageContaining("x-quorum-initial-group-size=3");
    }

    private long count(String queue) {
        return broker.withChannel(channel -> {
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
            return (long) ok.getMessageCount();
        });
    }
}
