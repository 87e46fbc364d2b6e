package com.relaybox.presence.adapter.rabbitmq;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections lost in the middle of a stream of jobs: forced closes by the broker, and one of two
 * instances dying. Nothing may be lost and, per room, the first broadcast of each job must come in
 * publish order (a job applied but not acknowledged when the connection went is broadcast again:
 * broadcasts are at least once).
 */
class ConsumerRecoveryIT {
    private static final int ROOMS = 20;
    private static final int JOBS_PER_ROOM = 251;           // join, leave, ..., join: each room ends with its member in
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("recovery");

    private final String app = "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);
    private final InMemoryPresenceStore store = new InMemoryPresenceStore();
    private final InMemoryHistory history = new InMemoryHistory();
    private final List<AutoCloseable> open = new ArrayList<>();

    /** The settings of this class's instances; a subclass runs everything on classic queues. */
    RabbitSettings settings() {
        return TestSettings.of(broker);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @Test
    void aForcedCloseOfEveryConnectionInTheMiddleOfAStreamLosesNothingAndKeepsEachRoomsOrder() throws Exception {
        RabbitSettings settings = settings();
        BroadcastCapture capture = opened(BroadcastCapture.ofApp(broker, app, settings.queueCount()));
        // The 20th batch is held inside the store while the connections are closed: work is in flight.
        StoreDecorators.Gated gated = new StoreDecorators.Gated(store, 20);
        PresenceService service = opened(new PresenceService(settings, gated, history));
        PresenceJobPublisher publisher = opened(new PresenceJobPublisher(settings));

        CompletableFuture<Integer> publishing = CompletableFuture.supplyAsync(() -> publishStream(publisher,
                new CountDownLatch(0)));
        assertThat(gated.entered.await(60, TimeUnit.SECONDS)).isTrue();
        broker.closeAllConnections();
        gated.release.countDown();

        assertThat(publishing.get()).isEqualTo(ROOMS * JOBS_PER_ROOM);
        assertEveryRoomComplete(capture);
        assertThat(Poll.until(WAIT, service.consumer::isRunning)).isTrue();
        assertThat(service.consumer.deadLetterDepth().messages()).isZero();
    }

    @Test
    void whenTheActiveInstanceDiesTheOtherTakesOverItsQueuesWithNothingLostAndOrderKept() throws Exception {
        RabbitSettings settings = settings();
        BroadcastCapture capture = opened(BroadcastCapture.ofApp(broker, app, settings.queueCount()));
        RecordingObserver firstObserver = new RecordingObserver();
        RecordingObserver secondObserver = new RecordingObserver();
        // The first instance's 10th batch is held inside the store when it dies: it was in flight.
        StoreDecorators.Gated gated = new StoreDecorators.Gated(store, 10);
        PresenceService first = new PresenceService(settings.withConnectionName("first"), gated, history, 65_536, firstObserver);
        PresenceService second = opened(new PresenceService(settings.withConnectionName("second"), store, history, 65_536,
                secondObserver));
        PresenceJobPublisher publisher = opened(new PresenceJobPublisher(settings));
        List<String> firstConsumer = broker.connectionsNamed("first-consumer");
        assertThat(firstConsumer).hasSize(1);

        // The stream pauses halfway until the first instance is dead, so the second has work to take over.
        CountDownLatch killed = new CountDownLatch(1);
        CompletableFuture<Integer> publishing = CompletableFuture.supplyAsync(() -> publishStream(publisher, killed));
        assertThat(gated.entered.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(secondObserver.jobs.get()).as("the second stands by while the first is active").isZero();
        broker.closeConnection(firstConsumer.get(0));       // the first instance's consumer dies mid-batch...
        gated.release.countDown();                          // ...its stale batch goes on, but is never acknowledged...
        first.close();                                      // ...and it does not come back
        killed.countDown();

        assertThat(publishing.get()).isEqualTo(ROOMS * JOBS_PER_ROOM);
        assertEveryRoomComplete(capture);
        assertThat(firstObserver.jobs.get()).isPositive();
        assertThat(secondObserver.jobs.get()).isPositive();
        assertThat(second.consumer.deadLetterDepth().messages()).isZero();
    }

    /**
     * close() finishes the batch in flight and acknowledges it; what it had prefetched goes back to
     * the queue and the instance standing by takes over exactly there: no job twice, none out of order.
     */
    @Test
    void closeFinishesTheBatchInFlightAndTheNextConsumerTakesOverWhereItStopped() throws Exception {
        RabbitSettings settings = settings().withBatching(50, 400, Duration.ofMillis(2));
        BroadcastCapture capture = opened(BroadcastCapture.ofApp(broker, app, settings.queueCount()));
        PresenceJobPublisher publisher = opened(new PresenceJobPublisher(settings));
        List<PresenceJobPublisher.Job> jobs = new ArrayList<>();
        for (int seq = 0; seq < 500; seq++)
            jobs.add(PresenceJobPublisher.Job.of(seq % 2 == 0 ? JobType.JOIN : JobType.LEAVE,
                    JobBodies.room(app, "handover", "c1", seq % 2 == 0 ? "join" : "leave", JobBodies.seq(seq))));
        publisher.publishAll(jobs);

        StoreDecorators.Gated gated = new StoreDecorators.Gated(store);
        RecordingObserver firstObserver = new RecordingObserver();
        PresenceService first = new PresenceService(settings.withConnectionName("first"), gated, history, 65_536, firstObserver);
        assertThat(gated.entered.await(30, TimeUnit.SECONDS)).isTrue();
        RecordingObserver secondObserver = new RecordingObserver();
        opened(new PresenceService(settings.withConnectionName("second"), store, history, 65_536, secondObserver));

        CompletableFuture<Void> closing = CompletableFuture.runAsync(first::close);
        assertThat(Poll.until(WAIT, () -> !first.consumer.isRunning())).isTrue();
        gated.release.countDown();
        closing.get();

        List<BroadcastCapture.Received> received = capture.await(500, WAIT);
        assertThat(received).hasSize(500);
        for (int seq = 0; seq < 500; seq++)
            assertThat(JsonParser.parseString(received.get(seq).body()).getAsJsonObject().getAsJsonObject("data")
                    .getAsJsonObject("data").get("seq").getAsInt()).isEqualTo(seq);
        // The first acknowledged the batch it had in flight (a partial one: the batch wait is short)
        // and nothing else; the second applied the rest, each job once.
        int appliedByFirst = firstObserver.jobs.get();
        assertThat(appliedByFirst).isBetween(1, 50);
        assertThat(Poll.until(WAIT, () -> secondObserver.jobs.get() == 500 - appliedByFirst)).isTrue();
        assertThat(secondObserver.outcomes()).allMatch(o -> o instanceof Outcome.Applied);
        assertThat(capture.all()).hasSize(500);
    }

    /**
     * Publishes every room's jobs, interleaved, in batches; a batch that fails is published again,
     * same ids. Halfway through it waits for {@code halfway}.
     */
    private int publishStream(PresenceJobPublisher publisher, CountDownLatch halfway) {
        List<PresenceJobPublisher.Job> jobs = new ArrayList<>();
        for (int seq = 0; seq < JOBS_PER_ROOM; seq++)
            for (int room = 0; room < ROOMS; room++) {
                boolean join = seq % 2 == 0;
                jobs.add(PresenceJobPublisher.Job.of(join ? JobType.JOIN : JobType.LEAVE,
                        JobBodies.room(app, "room-" + room, "c" + room, join ? "join" : "leave", JobBodies.seq(seq))));
            }
        AtomicInteger published = new AtomicInteger();
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int from = 0; from < jobs.size(); from += 50) {
            if (from == jobs.size() / 2 / 50 * 50) {
                try {
                    halfway.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            List<PresenceJobPublisher.Job> batch = jobs.subList(from, Math.min(jobs.size(), from + 50));
            while (true) {
                try {
                    publisher.publishAll(batch);
                    published.addAndGet(batch.size());
                    break;
                } catch (DependencyUnavailableException e) {
                    if (System.nanoTime() > deadline) throw e;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a producer's backoff
                }
            }
        }
        return published.get();
    }

    private void assertEveryRoomComplete(BroadcastCapture capture) {
        // Every room, not only those heard from: a shard whose consumer is still recovering has sent nothing yet.
        Poll.until(WAIT, () -> {
            Map<String, List<Integer>> seqsPerRoom = firstSeqsPerRoom(capture);
            return seqsPerRoom.size() == ROOMS && seqsPerRoom.values().stream().allMatch(seqs -> seqs.size() == JOBS_PER_ROOM);
        });
        Map<String, List<Integer>> firstSeqs = firstSeqsPerRoom(capture);
        List<Integer> expected = new ArrayList<>();
        for (int seq = 0; seq < JOBS_PER_ROOM; seq++) expected.add(seq);
        assertThat(firstSeqs).hasSize(ROOMS);
        firstSeqs.forEach((room, seqs) -> assertThat(seqs)
                .as(() -> "first broadcast of each job of " + room + "; every broadcast of the room: " + allSeqs(capture, room)
                        + "; the broker has " + broker.describe())
                .isEqualTo(expected));
        for (int room = 0; room < ROOMS; room++) {
            NspRoomId id = new NspRoomId(app, "room-" + room);
            List<Member> members = store.memberPage(id, 0, 10);
            assertThat(members).hasSize(1);
            assertThat(members.get(0).connectionId()).isEqualTo(new ConnectionId(app + ":c" + room));
            assertThat(members.get(0).dataJson()).isEqualTo(JobBodies.seq(JOBS_PER_ROOM - 1));
        }
        assertThat(history.all()).hasSize(ROOMS * JOBS_PER_ROOM);
    }

    /** The seq of every broadcast of the room, repeats included, in arrival order. */
    private static List<Integer> allSeqs(BroadcastCapture capture, String room) {
        List<Integer> seqs = new ArrayList<>();
        for (BroadcastCapture.Received received : capture.all()) {
            JsonObject body = JsonParser.parseString(received.body()).getAsJsonObject();
            if (body.get("nspRoomId").getAsString().equals(room))
                seqs.add(body.getAsJsonObject("data").getAsJsonObject("data").get("seq").getAsInt());
        }
        return seqs;
    }

    /** Per room, the seq of each job in the order of its first broadcast. */
    private static Map<String, List<Integer>> firstSeqsPerRoom(BroadcastCapture capture) {
        Map<String, Set<Integer>> seen = new HashMap<>();
        for (BroadcastCapture.Received received : capture.all()) {
            JsonObject body = JsonParser.parseString(received.body()).getAsJsonObject();
            seen.computeIfAbsent(body.get("nspRoomId").getAsString(), room -> new LinkedHashSet<>())
                    .add(body.getAsJsonObject("data").getAsJsonObject("data").get("seq").getAsInt());
        }
        Map<String, List<Integer>> result = new HashMap<>();
        seen.forEach((room, seqs) -> result.put(room, List.copyOf(seqs)));
        return result;
    }
}
