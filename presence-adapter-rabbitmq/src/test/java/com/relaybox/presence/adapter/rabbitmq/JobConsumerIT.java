package com.relaybox.presence.adapter.rabbitmq;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.Shard;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Jobs in, broadcasts out, through the real broker, with the in-memory store and history of core. */
class JobConsumerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("consumer");

    private final String app = "a" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);
    private final InMemoryPresenceStore store = new InMemoryPresenceStore();
    private final InMemoryHistory history = new InMemoryHistory();
    private final List<AutoCloseable> open = new ArrayList<>();
    private RabbitSettings settings;
    private PresenceJobPublisher publisher;
    private BroadcastCapture capture;

    private void setUp(RabbitSettings chosen) {
        settings = chosen;
        publisher = opened(new PresenceJobPublisher(settings));
        capture = opened(BroadcastCapture.ofApp(broker, app, settings.queueCount()));
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    @Test
    void aPublishedJobIsAppliedAndBroadcastWithTheExactRoutingKeyAndBody() {
        setUp(TestSettings.of(broker));
        opened(new PresenceService(settings, store, history));

        String job = JobBodies.room(app, "chat", "c1", "join", "{\"message\":\"hello\"}");
        publisher.publish(JobType.JOIN, job);

        BroadcastCapture.Received received = capture.await(1, WAIT).get(0);
        String requestId = JsonParser.parseString(received.body()).getAsJsonObject().get("requestId").getAsString();
        assertThat(UUID.fromString(requestId)).isNotNull();
        String expected = "{\"nspRoomId\":\"" + app + ":chat\",\"event\":\"" + app + ":chat:$:presence:join\","
                + "\"data\":{\"id\":\"" + app + ":client-c1\",\"clientId\":\"" + app + ":client-c1\",\"connectionId\":\""
                + app + ":c1\",\"data\":{\"message\":\"hello\"},\"timestamp\":\"2024-10-03T14:49:14.329Z\",\"event\":\"join\","
                + "\"user\":" + JobBodies.user("c1") + "},\"session\":" + JobBodies.session(app, "c1") + ",\"requestId\":\""
                + requestId + "\",\"latencyLog\":" + JobBodies.LATENCY_LOG + "}";
        assertThat(received.body()).isEqualTo(expected);
        assertThat(received.routingKey()).isEqualTo("$$:" + app + ":" + Shard.of("chat", 5));
        assertThat(received.properties().getContentType()).isEqualTo("application/json");
        assertThat(received.properties().getDeliveryMode()).isEqualTo(1);

        NspRoomId room = new NspRoomId(app, "chat");
        assertThat(store.isMember(room, new ConnectionId(app + ":c1"))).isTrue();
        assertThat(Poll.until(WAIT, () -> history.all().size() == 1)).isTrue();
    }

    @Test
    void aThousandAlternatingJobsOfOneRoomAreBroadcastInPublishOrder() {
        setUp(TestSettings.of(broker));
        RecordingObserver observer = new RecordingObserver();
        opened(new PresenceService(settings, store, history, 65_536, observer));

        List<PresenceJobPublisher.Job> jobs = new ArrayList<>();
        for (int seq = 0; seq < 1000; seq++) {
            String event = seq % 2 == 0 ? "join" : "leave";
            jobs.add(PresenceJobPublisher.Job.of(seq % 2 == 0 ? JobType.JOIN : JobType.LEAVE,
                    JobBodies.room(app, "lobby", "c1", event, JobBodies.seq(seq))));
        }
        for (int from = 0; from < jobs.size(); from += 100) publisher.publishAll(jobs.subList(from, from + 100));

        List<BroadcastCapture.Received> received = capture.await(1000, WAIT);
        assertThat(received).hasSize(1000);
        for (int seq = 0; seq < 1000; seq++) {
            JsonObject body = JsonParser.parseString(received.get(seq).body()).getAsJsonObject();
            assertThat(body.getAsJsonObject("data").getAsJsonObject("data").get("seq").getAsInt()).isEqualTo(seq);
            assertThat(body.getAsJsonObject("data").get("event").getAsString()).isEqualTo(seq % 2 == 0 ? "join" : "leave");
        }
        NspRoomId room = new NspRoomId(app, "lobby");
        assertThat(store.count(room)).isZero();
        assertThat(store.indexes()).doesNotContainKey(room.toString());
        assertThat(store.rooms(new ConnectionId(app + ":c1"))).isEmpty();
        assertThat(Poll.until(WAIT, () -> observer.jobs.get() == 1000)).isTrue();
        assertThat(observer.latencies.get()).isEqualTo(1000);
        assertThat(history.all()).hasSize(1000);
    }

    @Test
    void eachRejectedJobLandsInTheDeadLetterQueueUnchangedWithItsReasonAndTheConsumerGoesOn() {
        setUp(TestSettings.of(broker));
        RecordingObserver observer = new RecordingObserver();
        PresenceService service = opened(new PresenceService(settings, store, history, 1024, observer));
        long deadLettersBefore = service.consumer.deadLetterDepth().messages();

        String good = JobBodies.room(app, "chat", "c1", "join", "null");
        Map<String, Bad> bad = new LinkedHashMap<>();
        bad.put("not JSON", new Bad("presence:join", "{\"nspRoomId\": ".getBytes(StandardCharsets.UTF_8), "body is not JSON"));
        bad.put("not UTF-8", new Bad("presence:join", new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'}, "body is not valid UTF-8"));
        bad.put("unknown type", new Bad("presence:dance", bytes(good), "unknown job type 'presence:dance'"));
        bad.put("missing nspRoomId", new Bad("presence:join",
                bytes(good.replace("\"nspRoomId\":\"" + app + ":chat\",", "")), "missing nspRoomId"));
        bad.put("missing connectionId", new Bad("presence:join",
                bytes(good.replace("\"connectionId\":\"" + app + ":c1\",", "")), "missing session.connectionId"));
        bad.put("empty roomId", new Bad("presence:join",
                bytes(good.replace("\"nspRoomId\":\"" + app + ":chat\"", "\"nspRoomId\":\"" + app + ":\"")), "empty roomId"));
        bad.put("app mismatch", new Bad("presence:join",
                bytes(good.replace("\"nspRoomId\":\"" + app + ":chat\"", "\"nspRoomId\":\"other:chat\"")),
                "belongs to app 'other', not to session.appPid '" + app + "'"));
        bad.put("wrong subscription", new Bad("presence:join", bytes(good.replace(":$:presence:join", ":$:presence:leave")),
                "does not match '" + app + ":chat:$:presence:join'"));
        bad.put("data too big", new Bad("presence:join",
                bytes(JobBodies.room(app, "chat", "c1", "join", "{\"blob\":\"" + "x".repeat(2000) + "\"}")),
                "over the limit of 1024 (PRESENCE_MAX_DATA_BYTES)"));

        Map<String, Bad> byId = new HashMap<>();
        broker.withChannel(channel -> {
            for (Bad job : bad.values()) {
                String id = UUID.randomUUID().toString();
                byId.put(id, job);
                channel.basicPublish(Topology.JOB_EXCHANGE, "0", new AMQP.BasicProperties.Builder()
                        .type(job.type).messageId(id).contentType("application/json").deliveryMode(2)
                        .headers(Map.of("x-producer", "test")).build(), job.body);
            }
            channel.basicPublish(Topology.JOB_EXCHANGE, "0", new AMQP.BasicProperties.Builder()
                    .type("presence:join").messageId(UUID.randomUUID().toString()).contentType("application/json")
                    .deliveryMode(2).build(), bytes(good));
            return null;
        });

        // The valid job published after all of them is applied: the consumer went on.
        List<BroadcastCapture.Received> received = capture.await(1, WAIT);
        assertThat(received).as(() -> "the valid job's broadcast; the broker has " + broker.describe()).hasSize(1);
        assertThat(received.get(0).body()).contains("\"event\":\"" + app + ":chat:$:presence:join\"");
        assertThat(Poll.until(WAIT, () -> service.consumer.deadLetterDepth().messages() == deadLettersBefore + bad.size()))
                .isTrue();

        Map<String, GetResponse> deadLetters = drainDeadLetters(byId.keySet());
        assertThat(deadLetters).hasSize(bad.size());
        for (Map.Entry<String, GetResponse> entry : deadLetters.entrySet()) {
            Bad job = byId.get(entry.getKey());
            GetResponse letter = entry.getValue();
            assertThat(letter.getBody()).isEqualTo(job.body);
            assertThat(letter.getProps().getType()).isEqualTo(job.type);
            assertThat(letter.getProps().getContentType()).isEqualTo("application/json");
            assertThat(letter.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(letter.getProps().getHeaders().get("x-producer").toString()).isEqualTo("test");
            assertThat(letter.getProps().getHeaders().get(Topology.ERROR_HEADER).toString()).contains(job.reason)
                    .doesNotContain("\n");
        }
        assertThat(observer.outcomes().stream().filter(o -> o instanceof Outcome.Rejected).count()).isEqualTo(bad.size());
        assertThat(store.isMember(new NspRoomId(app, "chat"), new ConnectionId(app + ":c1"))).isTrue();
    }

    @Test
    void jobsPublishedWithoutWaitingForConfirmsAreAppliedInPublishOrder() {
        setUp(TestSettings.of(broker));
        opened(new PresenceService(settings, store, history));
        List<PresenceJobPublisher.Job> jobs = alternatingJobs("async", 500);

        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        for (int from = 0; from < jobs.size(); from += 10) confirmations.add(publisher.publishAllAsync(jobs.subList(from, from + 10)));
        CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)).join();

        assertThat(seqs(capture.await(500, WAIT))).isEqualTo(range(500));
    }

    @Test
    void laterBatchesAreBroadcastWhileEarlierOnesAwaitTheirHistoryConfirmationUpToTheUnacknowledgedBound() {
        setUp(TestSettings.of(broker).withQueueCount(1).withBatching(5, 400, Duration.ZERO));
        HeldConfirmations history = new HeldConfirmations();
        RecordingObserver observer = new RecordingObserver();
        PresenceService service = opened(new PresenceService(settings, store, history, 65_536, observer));
        int jobs = 400;                             // batches of at most 5: more than the bound

        publisher.publishAll(alternatingJobs("held", jobs));

        assertThat(Poll.until(WAIT, () -> history.heldCount() == ShardWorker.MAX_BATCHES_UNACKNOWLEDGED)).isTrue();
        int applied = history.kept.all().size();
        assertThat(applied).as("stopped by the bound").isLessThan(jobs);
        assertThat(seqs(capture.await(applied, WAIT))).as("every batch applied is broadcast, none confirmed")
                .isEqualTo(range(applied));
        assertThat(observer.jobs.get()).as("acknowledged").isZero();

        history.confirmAll();

        assertThat(Poll.until(WAIT, () -> observer.jobs.get() == jobs)).isTrue();
        assertThat(history.maxHeld()).as("batches awaiting confirmation at once")
                .isEqualTo(ShardWorker.MAX_BATCHES_UNACKNOWLEDGED);
        service.close();
        assertThat(broker.ready(Topology.shardQueue(0))).as("left in the queue").isZero();
        assertThat(history.kept.all()).hasSize(jobs);
        assertThat(seqs(capture.all())).as("each broadcast once, in order").isEqualTo(range(jobs));
    }

    @Test
    void batchesStillUnconfirmedWhenTheServiceStopsAreLeftToTheBrokerAndAppliedByTheNext() {
        setUp(TestSettings.of(broker).withQueueCount(1).withBatching(5, 400, Duration.ZERO)
                .withConfirmTimeout(Duration.ofMillis(500)));
        HeldConfirmations never = new HeldConfirmations();
        PresenceService first = opened(new PresenceService(settings, store, never, 65_536, JobConsumerObserver.NONE));
        publisher.publishAll(alternatingJobs("stopped", 40));
        assertThat(Poll.until(WAIT, () -> never.kept.all().size() == 40)).as("all applied, none confirmed").isTrue();
        int applied = 40;
        assertThat(capture.await(applied, WAIT)).hasSize(applied);

        first.close();

        assertThat(Poll.until(WAIT, () -> broker.ready(Topology.shardQueue(0)) == 40)).isTrue();
        RecordingObserver observer = new RecordingObserver();
        opened(new PresenceService(settings, store, history, 65_536, observer));
        assertThat(seqs(capture.await(applied + 40, WAIT)).subList(applied, applied + 40)).as("redelivered, in order")
                .isEqualTo(range(40));
        assertThat(Poll.until(WAIT, () -> observer.jobs.get() == 40)).isTrue();
        assertThat(history.all()).hasSize(40);
    }

    @Test
    void aFailedConfirmationAppliesThatBatchAndEveryLaterOneAgainInOrder() {
        setUp(TestSettings.of(broker).withQueueCount(1).withBatching(5, 400, Duration.ZERO)
                .withRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(60)));
        HeldConfirmations history = new HeldConfirmations();
        RecordingObserver observer = new RecordingObserver();
        PresenceService service = opened(new PresenceService(settings, store, history, 65_536, observer));
        long deadLettersBefore = service.consumer.deadLetterDepth().messages();

        publisher.publishAll(alternatingJobs("failed", 40));
        assertThat(Poll.until(WAIT, () -> history.kept.all().size() == 40)).as("all applied, none confirmed").isTrue();
        assertThat(seqs(capture.await(40, WAIT))).isEqualTo(range(40));

        history.failFirst(new DependencyUnavailableException("history lost"));

        List<Integer> expected = new ArrayList<>(range(40));                // the first pass
        expected.addAll(range(40));                                         // the failed first batch and all after it, again
        assertThat(seqs(capture.await(80, WAIT))).isEqualTo(expected);
        assertThat(Poll.until(WAIT, () -> observer.jobs.get() == 40)).isTrue();
        assertThat(observer.backoffs()).containsExactly(20L);
        service.close();
        assertThat(broker.ready(Topology.shardQueue(0))).as("left in the queue").isZero();
        assertThat(history.kept.all()).as("each record kept once").hasSize(40);
        assertThat(store.count(new NspRoomId(app, "failed"))).isZero();
        assertThat(broker.ready(Topology.DEAD_LETTER_QUEUE)).isEqualTo(deadLettersBefore);
    }

    /** Join, leave, join, ... of one connection in one room, each with its sequence number. */
    private List<PresenceJobPublisher.Job> alternatingJobs(String room, int count) {
        List<PresenceJobPublisher.Job> jobs = new ArrayList<>();
        for (int seq = 0; seq < count; seq++)
            jobs.add(PresenceJobPublisher.Job.of(seq % 2 == 0 ? JobType.JOIN : JobType.LEAVE,
                    JobBodies.room(app, room, "c1", seq % 2 == 0 ? "join" : "leave", JobBodies.seq(seq))));
        return jobs;
    }

    private static List<Integer> seqs(List<BroadcastCapture.Received> received) {
        List<Integer> seqs = new ArrayList<>();
        for (BroadcastCapture.Received one : received)
            seqs.add(JsonParser.parseString(one.body()).getAsJsonObject().getAsJsonObject("data")
                    .getAsJsonObject("data").get("seq").getAsInt());
        return seqs;
    }

    private static List<Integer> range(int count) {
        List<Integer> range = new ArrayList<>();
        for (int i = 0; i < count; i++) range.add(i);
        return range;
    }

    @Test
    void aStoreThatIsUnreachableForAWhileIsRetriedInOrderWithNothingLostOrDeadLettered() {
        setUp(TestSettings.of(broker).withRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(60)));
        StoreDecorators.Flaky flaky = new StoreDecorators.Flaky(store, 4);
        RecordingObserver observer = new RecordingObserver();
        PresenceService service = opened(new PresenceService(settings, flaky, history, 65_536, observer));
        long deadLettersBefore = service.consumer.deadLetterDepth().messages();

        List<PresenceJobPublisher.Job> jobs = new ArrayList<>();
        for (int seq = 0; seq < 300; seq++)
            jobs.add(PresenceJobPublisher.Job.of(seq % 3 == 2 ? JobType.LEAVE : seq % 3 == 0 ? JobType.JOIN : JobType.UPDATE,
                    JobBodies.room(app, "flaky", "c1", seq % 3 == 2 ? "leave" : seq % 3 == 0 ? "join" : "update",
                            JobBodies.seq(seq))));
        publisher.publishAll(jobs);

        List<BroadcastCapture.Received> received = capture.await(300, WAIT);
        assertThat(received).hasSize(300);
        for (int seq = 0; seq < 300; seq++)
            assertThat(JsonParser.parseString(received.get(seq).body()).getAsJsonObject().getAsJsonObject("data")
                    .getAsJsonObject("data").get("seq").getAsInt()).isEqualTo(seq);
        assertThat(flaky.failed.get()).isEqualTo(4);
        assertThat(observer.backoffs()).containsExactly(20L, 40L, 60L, 60L);
        assertThat(service.consumer.deadLetterDepth().messages()).isEqualTo(deadLettersBefore);
        assertThat(history.all()).hasSize(300);
    }

    @Test
    void aJobWhoseStateIsCorruptIsDeadLetteredAndTheOthersOfItsBatchAreApplied() {
        setUp(TestSettings.of(broker));
        String corruptRoom = roomOnTheShardOf("chat", "corrupt");
        List<PresenceJobPublisher.Job> jobs = List.of(
                PresenceJobPublisher.Job.of(JobType.JOIN, JobBodies.room(app, "chat", "c1", "join", JobBodies.seq(0))),
                PresenceJobPublisher.Job.of(JobType.JOIN, JobBodies.room(app, corruptRoom, "c1", "join", JobBodies.seq(1))),
                PresenceJobPublisher.Job.of(JobType.JOIN, JobBodies.room(app, "chat", "c2", "join", JobBodies.seq(2))));
        publisher.publishAll(jobs);      // before the consumer starts: one batch
        NspRoomId corrupt = new NspRoomId(app, corruptRoom);
        StoreDecorators.Corrupt store = new StoreDecorators.Corrupt(this.store, corrupt);
        RecordingObserver observer = new RecordingObserver();
        PresenceService service = opened(new PresenceService(settings, store, history, 65_536, observer));

        List<BroadcastCapture.Received> received = capture.await(2, WAIT);
        assertThat(received).extracting(r -> JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("data")
                .getAsJsonObject("data").get("seq").getAsInt()).containsExactly(0, 2);
        Map<String, GetResponse> deadLetters = drainDeadLetters(List.of(jobs.get(1).messageId()));
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.values().iterator().next().getProps().getHeaders().get(Topology.ERROR_HEADER).toString())
                .startsWith("corrupt state: presence:" + corrupt + ":members");
        assertThat(Poll.until(WAIT, () -> observer.jobs.get() == 3)).isTrue();
        assertThat(observer.maxBatch.get()).isEqualTo(3);
        assertThat(service.consumer.isRunning()).isTrue();
    }

    @Test
    void itTellsItsQueuesDepthsAndWhetherItRuns() {
        setUp(TestSettings.of(broker));
        PresenceService service = new PresenceService(settings, store, history);
        try {
            assertThat(Poll.until(WAIT, service.consumer::isRunning)).isTrue();
            List<RabbitJobConsumer.QueueDepth> depths = service.consumer.queueDepths();
            assertThat(depths).extracting(RabbitJobConsumer.QueueDepth::queue)
                    .containsExactly("presence-0", "presence-1", "presence-2", "presence-3", "presence-4");
            assertThat(depths).allSatisfy(depth -> {
                assertThat(depth.messages()).isZero();
                assertThat(depth.consumers()).isEqualTo(1);
            });
            assertThat(service.consumer.deadLetterDepth().queue()).isEqualTo("presence-dlq");
        } finally {
            service.close();
        }
        assertThat(service.consumer.isRunning()).isFalse();
    }

    private String roomOnTheShardOf(String room, String prefix) {
        int shard = Shard.of(room, 5);
        for (int i = 0; ; i++)
            if (Shard.of(prefix + i, 5) == shard) return prefix + i;
    }

    /** Takes the dead letters with these ids out of presence-dlq as they come, until all are there or the time is up. */
    private Map<String, GetResponse> drainDeadLetters(java.util.Collection<String> ids) {
        Map<String, GetResponse> found = new HashMap<>();
        Poll.until(WAIT, () -> {
            broker.withChannel(channel -> {
                for (GetResponse letter; (letter = channel.basicGet(Topology.DEAD_LETTER_QUEUE, true)) != null; )
                    if (ids.contains(letter.getProps().getMessageId())) found.put(letter.getProps().getMessageId(), letter);
                return null;
            });
            return found.size() >= ids.size();
        });
        return found;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private record Bad(String type, byte[] body, String reason) {
    }
}
