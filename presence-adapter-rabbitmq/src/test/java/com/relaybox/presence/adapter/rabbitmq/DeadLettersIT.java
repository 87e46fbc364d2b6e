package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading and replaying {@code presence-dlq} on the real broker, quorum queues as in production. */
class DeadLettersIT {
    private static final int QUEUES = 3;

    @RegisterExtension
    final RabbitVhost broker = RabbitVhost.named("dlq");
    private RabbitSettings settings;

    @BeforeEach
    void declareTheTopology() {
        settings = TestSettings.of(broker).withQueueCount(QUEUES);
        new PresenceJobPublisher(settings).close();
    }

    /** As the consumer dead-letters a job: the original message, with the reason added, via the fanout DLX. */
    private void deadLetter(String routingKey, String jobId, String body, String reason) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("timestamp_in_ms", 1_700_000_000_123L);
        headers.put("x-presence-error", reason);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().type("presence:join").messageId(jobId)
                .contentType("application/json").deliveryMode(2).timestamp(new Date(1_700_000_000_000L))
                .headers(headers).build();
        broker.withChannel(channel -> {
            channel.basicPublish("ds.presence.dlx", routingKey, properties, body.getBytes(StandardCharsets.UTF_8));
            return null;
        });
    }

    private static String join(String room) {
        return "{\"nspRoomId\":\"app1:" + room + "\",\"clientId\":\"app1:c\"}";
    }

    /** Every message ready in the queue, taken off it; by a consumer: quorum queues with single active consumer refuse basic.get. */
    private List<Delivery> drain(String queue) {
        return broker.withChannel(channel -> {
            int ready = channel.queueDeclarePassive(queue).getMessageCount();
            List<Delivery> all = new CopyOnWriteArrayList<>();
            String tag = channel.basicConsume(queue, true, (consumerTag, delivery) -> all.add(delivery), consumerTag -> { });
            Poll.await(Duration.ofSeconds(10), ready + " messages from " + queue, () -> all.size() >= ready);
            channel.basicCancel(tag);
            return List.copyOf(all);
        });
    }

    private static List<String> ids(List<Delivery> messages) {
        return messages.stream().map(message -> message.getProperties().getMessageId()).toList();
    }

    @Test
    void aListingGivesEachLetterItsReasonAndShardAndLeavesTheQueueAsItWas() {
        deadLetter("2", "job-a", join("lobby"), "message.data is not an object");
        deadLetter("0", "job-b", join("hall"), "corrupt state: presence:app1:hall:index is a string");
        // A letter published around the exchange: its shard comes from its room, as a producer routes it.
        deadLetter("presence-x", "job-c", join("lobby"), "nspRoomId belongs to another app");

        try (DeadLetters letters = DeadLetters.open(settings)) {
            List<DeadLetters.Letter> listed = letters.list(100);

            assertThat(listed).extracting(DeadLetters.Letter::jobId).containsExactly("job-a", "job-b", "job-c");
            assertThat(listed).extracting(DeadLetters.Letter::reason).containsExactly("message.data is not an object",
                    "corrupt state: presence:app1:hall:index is a string", "nspRoomId belongs to another app");
            assertThat(listed).extracting(DeadLetters.Letter::shard)
                    .containsExactly(OptionalInt.of(2), OptionalInt.of(0), OptionalInt.of(Math.floorMod("lobby".hashCode(), QUEUES)));
            assertThat(listed.get(0).type()).isEqualTo("presence:join");
            assertThat(letters.list(2)).hasSize(2);
            assertThat(letters.depth()).isEqualTo(3);
        }
        assertThat(ids(drain("presence-dlq"))).as("all still there").containsExactlyInAnyOrder("job-a", "job-b", "job-c");
    }

    @Test
    void aReplayPutsEachLetterOnItsShardQueueWithItsOriginalPropertiesAndOnlyThenRemovesIt() {
        deadLetter("1", "job-a", join("a"), "bad");
        deadLetter("2", "job-b", join("b"), "bad");
        deadLetter("1", "job-c", join("c"), "bad");

        DeadLetters.Replay replay;
        try (DeadLetters letters = DeadLetters.open(settings)) {
            replay = letters.replay(100, DeadLetters.Progress.NONE);
        }

        assertThat(replay.failure()).isEmpty();
        assertThat(replay.replayed()).extracting(DeadLetters.Letter::jobId).containsExactly("job-a", "job-b", "job-c");
        assertThat(broker.ready("presence-dlq")).isZero();
        assertThat(broker.ready("presence-0")).isZero();
        List<Delivery> shard1 = drain("presence-1");
        assertThat(ids(shard1)).containsExactly("job-a", "job-c");
        assertThat(ids(drain("presence-2"))).containsExactly("job-b");

        Delivery first = shard1.get(0);
        assertThat(new String(first.getBody(), StandardCharsets.UTF_8)).isEqualTo(join("a"));
        assertThat(first.getEnvelope().getExchange()).isEqualTo("ds.presence.durable");
        assertThat(first.getEnvelope().getRoutingKey()).isEqualTo("1");
        AMQP.BasicProperties properties = first.getProperties();
        assertThat(properties.getType()).isEqualTo("presence:join");
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getDeliveryMode()).isEqualTo(2);
        assertThat(properties.getTimestamp()).isEqualTo(new Date(1_700_000_000_000L));
        assertThat(properties.getHeaders()).as("the reason and the broker's count are taken off, the rest kept")
                .containsOnlyKeys("timestamp_in_ms").containsEntry("timestamp_in_ms", 1_700_000_000_123L);
    }

    @Test
    void aLimitReplaysOnlyTheOldestLetters() {
        for (int i = 0; i < 5; i++) deadLetter("0", "job-" + i, join("a"), "bad");

        try (DeadLetters letters = DeadLetters.open(settings)) {
            assertThat(letters.replay(2, DeadLetters.Progress.NONE).replayed())
                    .extracting(DeadLetters.Letter::jobId).containsExactly("job-0", "job-1");
        }

        assertThat(ids(drain("presence-0"))).containsExactly("job-0", "job-1");
        assertThat(ids(drain("presence-dlq"))).containsExactly("job-2", "job-3", "job-4");
    }

    @Test
    void aLetterWithoutAShardStaysInTheQueueAndTheOthersGoOn() {
        deadLetter("x", "job-a", "not json", "body is not JSON");
        deadLetter("0", "job-b", join("a"), "bad");

        DeadLetters.Replay replay;
        try (DeadLetters letters = DeadLetters.open(settings)) {
            replay = letters.replay(100, DeadLetters.Progress.NONE);
        }

        assertThat(replay.kept()).extracting(DeadLetters.Letter::jobId).containsExactly("job-a");
        assertThat(replay.replayed()).extracting(DeadLetters.Letter::jobId).containsExactly("job-b");
        assertThat(ids(drain("presence-dlq"))).containsExactly("job-a");
        assertThat(ids(drain("presence-0"))).containsExactly("job-b");
    }

    @Test
    void aReplayCutOffByALostConnectionStopsAndLosesNoLetter() {
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            deadLetter(Integer.toString(i % QUEUES), "job-" + i, join("a"), "bad");
            all.add("job-" + i);
        }

        DeadLetters.Replay replay;
        try (DeadLetters letters = DeadLetters.open(settings)) {
            // After the first letter, the broker drops the connection (rabbitmqctl returns once it has).
            replay = letters.replay(100, letter -> {
                if (letter.jobId().equals("job-0")) broker.closeAllConnections();
            });
        }

        assertThat(replay.failure()).as("the replay says it stopped").isPresent();
        assertThat(replay.replayed()).extracting(DeadLetters.Letter::jobId).startsWith("job-0").hasSizeLessThan(6);
        List<String> inShards = new ArrayList<>();
        for (int shard = 0; shard < QUEUES; shard++) inShards.addAll(ids(drain("presence-" + shard)));
        List<String> inDlq = ids(drain("presence-dlq"));
        assertThat(inShards).containsAll(replay.replayed().stream().map(DeadLetters.Letter::jobId).toList());
        Set<String> everywhere = new HashSet<>(inShards);
        everywhere.addAll(inDlq);
        assertThat(everywhere).as("every letter is on its shard queue or still in presence-dlq").isEqualTo(all);
        assertThat(inDlq).as("what was not replayed is still in presence-dlq")
                .containsAll(all.stream().filter(id -> !inShards.contains(id)).toList());
    }
}
