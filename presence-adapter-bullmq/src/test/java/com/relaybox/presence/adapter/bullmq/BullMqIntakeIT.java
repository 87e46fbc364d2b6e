package com.relaybox.presence.adapter.bullmq;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static com.relaybox.presence.adapter.bullmq.Jobs.job;
import static com.relaybox.presence.adapter.bullmq.Jobs.seq;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §7 against the real npm bullmq 5.16.0: jobs enqueued as RelayBox's realtime service
 * enqueues them are applied, broadcast and recorded, and BullMQ's own API tells the truth after.
 */
class BullMqIntakeIT {
    private static final Duration WITHIN = Duration.ofSeconds(15);
    private final BullMqQueue queue = new BullMqQueue();
    private final Presence presence = new Presence();
    private final List<BullMqIntake> intakes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        intakes.forEach(BullMqIntake::close);
        queue.close();
    }

    private BullMqIntake start(BullMqSettings settings) {
        BullMqIntake intake = BullMqIntake.consume(settings, presence.jobs);
        intakes.add(intake);
        return intake;
    }

    private void awaitQueueEmpty() {
        Poll.await(WITHIN, "the queue to be drained", () -> {
            Map<String, Double> counts = queue.counts();
            return counts.get("waiting") == 0 && counts.get("active") == 0;
        });
    }

    @Test
    void joinUpdateLeaveAreAppliedBroadcastRecordedAndCompletedAsRemoveOnCompleteAsks() {
        start(queue.settings());
        List<String> ids = queue.add(List.of(job("join", "lobby", "c1", "{\"status\":\"online\"}"),
                job("update", "lobby", "c1", "{\"status\":\"away\"}"), job("join", "lobby", "c2", "null"),
                job("leave", "lobby", "c1", "null")));

        Poll.await(WITHIN, "four broadcasts", () -> presence.broadcasts().size() == 4);
        List<JsonObject> broadcasts = presence.broadcasts();
        assertThat(broadcasts).extracting(body -> body.get("event").getAsString()).containsExactly(
                "app1:lobby:$:presence:join", "app1:lobby:$:presence:update", "app1:lobby:$:presence:join",
                "app1:lobby:$:presence:leave");
        JsonObject first = broadcasts.get(0).deepCopy();
        assertThat(first.remove("requestId").getAsString()).hasSize(36);
        assertThat(first).isEqualTo(JsonParser.parseString("{\"nspRoomId\":\"app1:lobby\","
                + "\"event\":\"app1:lobby:$:presence:join\",\"data\":{\"id\":\"app1:client-c1\",\"clientId\":\"app1:client-c1\","
                + "\"connectionId\":\"app1:c1\",\"data\":{\"status\":\"online\"},\"timestamp\":\"" + Jobs.TIMESTAMP + "\","
                + "\"event\":\"join\",\"user\":" + Jobs.user("c1") + "},\"session\":" + Jobs.session("app1", "c1")
                + ",\"latencyLog\":" + Jobs.LATENCY_LOG + "}"));
        // The member JSON kept in the state is the broadcast's data, byte for byte.
        assertThat(presence.store.memberHashes().get("app1:lobby")).containsOnlyKeys("app1:c2");
        assertThat(presence.broadcaster.sent().get(2).body()).contains(presence.store.memberHashes().get("app1:lobby").get("app1:c2"));
        assertThat(presence.history.all()).extracting(record -> record.event().wireName() + " " + record.jobId().value())
                .containsExactly("join " + queue.key(ids.get(0)), "update " + queue.key(ids.get(1)),
                        "join " + queue.key(ids.get(2)), "leave " + queue.key(ids.get(3)));

        awaitQueueEmpty();
        Poll.await(WITHIN, "every job removed on completion", () -> queue.job(ids.get(3)).isJsonNull());
        assertThat(queue.counts()).containsEntry("completed", 0.0).containsEntry("failed", 0.0);
        assertThat(queue.events()).contains("active", "completed", "drained").hasSizeLessThanOrEqualTo(100 + 40);
    }

    @Test
    void nonMembersCompleteSilentlyAndRejectedJobsFailWithTheirReasonWhileTheNextGoOn() {
        start(queue.settings());
        List<String> ids = queue.add(List.of(
                job("update", "lobby", "ghost", "null"),
                job("leave", "lobby", "ghost", "null"),
                BullMqQueue.Job.of("presence:teleport", Jobs.room("app1", "lobby", "c1", "join", "null")),
                BullMqQueue.Job.of("presence:join", Jobs.room("app1", "lobby", "c1", "join", "null")
                        .replace("\"nspRoomId\":\"app1:lobby\"", "\"nspRoomId\":\"app2:lobby\"")),
                BullMqQueue.Job.of("presence:join", Jobs.room("app1", "lobby", "c1", "update", "null")),
                job("join", "lobby", "c1", "null")));

        Poll.await(WITHIN, "the join after the rejections", () -> presence.broadcasts().size() == 1);
        awaitQueueEmpty();
        JsonArray failed = queue.failed();
        Map<String, String> reasons = new HashMap<>();
        for (JsonElement job : failed)
            reasons.put(job.getAsJsonObject().get("id").getAsString(), job.getAsJsonObject().get("failedReason").getAsString());
        assertThat(reasons).containsOnlyKeys(ids.get(2), ids.get(3), ids.get(4));
        assertThat(reasons.get(ids.get(2))).contains("presence:teleport");
        assertThat(reasons.get(ids.get(3))).contains("app2");
        assertThat(reasons.get(ids.get(4))).contains("subscription");
        assertThat(queue.job(ids.get(2)).getAsJsonObject().get("state").getAsString()).isEqualTo("failed");
        assertThat(queue.job(ids.get(0)).isJsonNull()).isTrue();     // completed, then removed
        assertThat(presence.broadcasts().get(0).get("event").getAsString()).isEqualTo("app1:lobby:$:presence:join");
        assertThat(queue.counts()).containsEntry("failed", 3.0).containsEntry("completed", 0.0);
    }

    @Test
    void removeOnCompleteAndRemoveOnFailAreHonouredBothWays() {
        start(queue.settings());
        List<String> ids = queue.add(List.of(
                new BullMqQueue.Job("presence:join", Jobs.room("app1", "r", "c1", "join", "null"), "{\"removeOnComplete\":false}"),
                new BullMqQueue.Job("presence:join", Jobs.room("app1", "r", "c2", "join", "null"), "{\"removeOnComplete\":2}"),
                new BullMqQueue.Job("presence:join", Jobs.room("app1", "r", "c3", "join", "null"), "{\"removeOnComplete\":2}"),
                new BullMqQueue.Job("presence:join", Jobs.room("app1", "r", "c4", "join", "null"), "{\"removeOnComplete\":2}"),
                new BullMqQueue.Job("presence:nope", Jobs.room("app1", "r", "c5", "join", "null"), "{\"removeOnFail\":true}"),
                new BullMqQueue.Job("presence:nope", Jobs.room("app1", "r", "c6", "join", "null"), "{\"removeOnFail\":false}")));

        Poll.await(WITHIN, "four joins", () -> presence.broadcasts().size() == 4);
        awaitQueueEmpty();
        Poll.await(WITHIN, "the last job finished", () -> !queue.job(ids.get(5)).isJsonNull()
                && queue.job(ids.get(5)).getAsJsonObject().get("state").getAsString().equals("failed"));
        // removeOnComplete: 2 keeps the two newest completed jobs; false keeps every one.
        assertThat(queue.completed()).extracting(job -> job.getAsJsonObject().get("id").getAsString())
                .containsExactlyInAnyOrder(ids.get(2), ids.get(3));
        assertThat(queue.job(ids.get(1)).isJsonNull()).isTrue();
        assertThat(queue.failed()).extracting(job -> job.getAsJsonObject().get("id").getAsString()).containsExactly(ids.get(5));
        assertThat(queue.job(ids.get(4)).isJsonNull()).isTrue();
    }

    @Test
    void aPausedQueueIsLeftAloneUntilResumed() {
        queue.pause();
        start(queue.settings());
        queue.add(List.of(job("join", "lobby", "c1", "null")));

        assertThat(Poll.until(Duration.ofSeconds(2), () -> !presence.broadcasts().isEmpty())).isFalse();
        assertThat(queue.counts()).containsEntry("paused", 1.0).containsEntry("active", 0.0);

        queue.resume();
        Poll.await(WITHIN, "the join once resumed", () -> presence.broadcasts().size() == 1);
        awaitQueueEmpty();
    }

    @Test
    void theJobsADeadInstanceTookAreTakenAgainInOrderAndAppliedOnce() {
        List<String> ids = queue.add(List.of(job("join", "lobby", "c1", seq(0)), job("update", "lobby", "c1", seq(1)),
                job("update", "lobby", "c1", seq(2))));
        // What a killed holder leaves: its lease, and the first two jobs active under its locks.
        String dead = "presence:900:dead-instance";
        queue.redis.psetex(queue.key(Keys.LEASE), 1_500, dead);
        for (int i = 0; i < 2; i++) {
            String id = queue.redis.rpoplpush(queue.key("wait"), queue.key("active"));
            queue.redis.psetex(queue.key(id + ":lock"), 1_500, dead);
            queue.redis.hincrBy(queue.key(id), "ats", 1);
        }
        // ... having applied the first, without its broadcast going out.
        presence.jobs.applyBatch(List.of(new TakenJob(ids.get(0), "presence:join",
                Jobs.room("app1", "lobby", "c1", "join", seq(0)).getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, 0)
                .raw(queue.settings().keyBase(), false)), () -> false);

        start(queue.settings().withLocking(Duration.ofSeconds(1), Duration.ofSeconds(30)));

        Poll.await(WITHIN, "three broadcasts", () -> presence.broadcasts().size() == 3);
        assertThat(presence.broadcasts()).extracting(body -> body.getAsJsonObject("data").getAsJsonObject("data").get("seq").getAsInt())
                .containsExactly(0, 1, 2);
        assertThat(presence.history.all()).hasSize(3);
        awaitQueueEmpty();
        assertThat(queue.counts()).containsEntry("failed", 0.0);
        assertThat(queue.events()).contains("stalled");
    }

    @Test
    void aJobWhoseLockLapsedIsRecoveredByTheStalledCheck() {
        start(queue.settings().withLocking(Duration.ofSeconds(1), Duration.ofMillis(300)));
        Poll.await(WITHIN, "the lease", () -> queue.redis.get(queue.key(Keys.LEASE)) != null);
        List<String> ids = queue.add(List.of(BullMqQueue.Job.of("presence:join", Jobs.room("app1", "lobby", "c1", "join", "null"))));
        Poll.await(WITHIN, "the join", () -> presence.broadcasts().size() == 1);
        awaitQueueEmpty();
        // A plain BullMQ worker took a job and died: active, under a lock that lapses.
        queue.redis.lpush(queue.key("wait"), "orphan");
        queue.redis.hset(queue.key("orphan"), Map.of("name", "presence:join", "data",
                Jobs.room("app1", "lobby", "c2", "join", "null"), "opts", "{\"removeOnComplete\":true}", "timestamp", "0"));
        queue.redis.psetex(queue.key("stalled-check"), 60_000, "1");     // hold the intake's check for now
        queue.redis.rpoplpush(queue.key("wait"), queue.key("active"));
        queue.redis.psetex(queue.key("orphan:lock"), 500, "a-bullmq-worker-token");
        queue.redis.del(queue.key("stalled-check"));

        Poll.await(WITHIN, "the orphan taken again", () -> presence.broadcasts().size() == 2);
        awaitQueueEmpty();
        assertThat(queue.job("orphan").isJsonNull()).isTrue();
        assertThat(queue.events()).contains("stalled");
        assertThat(ids).hasSize(1);
    }

    @Test
    void whenTheHolderDiesAnotherInstanceTakesOverAndEachRoomKeepsItsOrder() {
        BullMqSettings settings = queue.settings().withLocking(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .withBatching(10, Duration.ZERO);
        BullMqIntake first = start(settings);
        Poll.await(WITHIN, "the first to hold the lease", () -> first.state().holdsLease());
        BullMqIntake second = start(settings);

        int rooms = 5;
        int perRoom = 60;
        List<BullMqQueue.Job> jobs = new ArrayList<>();
        for (int i = 0; i < perRoom; i++)
            for (int room = 0; room < rooms; room++)
                jobs.add(job(i == 0 ? "join" : "update", "room" + room, "c" + room, seq(i)));
        queue.add(jobs.subList(0, jobs.size() / 2));
        Poll.await(WITHIN, "some jobs applied", () -> presence.broadcasts().size() > 20);
        first.abandon();
        queue.add(jobs.subList(jobs.size() / 2, jobs.size()));

        Poll.await(WITHIN, "the second to take over", () -> second.state().holdsLease());
        awaitQueueEmpty();
        Map<String, List<Integer>> seen = new HashMap<>();
        for (JsonObject body : presence.broadcasts())
            seen.computeIfAbsent(body.get("nspRoomId").getAsString(), room -> new ArrayList<>())
                    .add(body.getAsJsonObject("data").getAsJsonObject("data").get("seq").getAsInt());
        assertThat(seen).hasSize(rooms);
        seen.forEach((room, sequence) -> {
            assertThat(sequence).as(room).contains(0).endsWith(perRoom - 1);
            for (int i = 0; i < perRoom; i++) assertThat(sequence).as(room).contains(i);
            for (int i = 1; i < sequence.size(); i++)     // in order; a run may repeat, never an older event last
                assertThat(sequence.get(i) == sequence.get(i - 1) + 1 || sequence.get(i) <= sequence.get(i - 1))
                        .as("%s at %d: %s", room, i, sequence).isTrue();
        });
        assertThat(queue.counts()).containsEntry("failed", 0.0);
        assertThat(presence.history.all()).extracting(HistoryRecord::jobId).doesNotHaveDuplicates().hasSize(rooms * perRoom);
    }

    /**
     * A holder frozen while it applies a batch, its lease lapsed: the next holder applies the join
     * and a leave after it, completes both and forgets their ids (the duplicate window is over) before
     * the frozen holder's join reaches the store. Only the fencing token keeps it from bringing the
     * member who left back.
     */
    @Test
    void aBatchAFormerHolderWritesAfterTheNextTookTheLeaseChangesNothing() throws InterruptedException {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        InMemoryPresenceStore shared = new InMemoryPresenceStore(now::get, Duration.ofSeconds(600), JobMemory.DEFAULT);
        ProcessJobs jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), shared, presence.broadcaster,
                presence.history, TimeSource.system());
        HeldFirstBatch formerJobs = new HeldFirstBatch(jobs);
        BullMqSettings settings = queue.settings().withLocking(Duration.ofSeconds(1), Duration.ofSeconds(30));
        BullMqIntake former = BullMqIntake.consume(settings, formerJobs);
        intakes.add(former);
        Poll.await(WITHIN, "the lease", () -> former.state().holdsLease());
        queue.add(List.of(job("join", "lobby", "c1", seq(0))));
        assertThat(formerJobs.entered.await(15, TimeUnit.SECONDS)).as("the join being applied").isTrue();
        former.abandon();                       // frozen: it renews nothing more, and its lease lapses

        AtomicInteger finished = new AtomicInteger();
        intakes.add(BullMqIntake.consume(settings, jobs, new BullMqObserver() {
            @Override
            public void finished(int completed, int failed) {
                finished.addAndGet(completed + failed);
            }
        }));
        NspRoomId lobby = new NspRoomId("app1", "lobby");
        ConnectionId c1 = new ConnectionId("app1:c1");
        Poll.await(WITHIN, "the next holder to apply the join", () -> shared.isMember(lobby, c1));
        queue.add(List.of(job("leave", "lobby", "c1", seq(1))));
        Poll.await(WITHIN, "the next holder to complete the join and the leave", () -> finished.get() == 2);
        assertThat(shared.isMember(lobby, c1)).isFalse();
        now.set(now.get().plus(JobMemory.DEFAULT_DUPLICATE_WINDOW).plusSeconds(1));

        formerJobs.release.countDown();
        assertThat(formerJobs.finished.await(15, TimeUnit.SECONDS)).isTrue();

        assertThat(shared.isMember(lobby, c1)).as("the member who left is not brought back").isFalse();
        assertThat(formerJobs.failure).as("the held join, refused").isInstanceOf(FencedOutException.class);
    }

    /** Holds the first batch before core applies it, until released; {@code finished} once it returned or threw. */
    private static final class HeldFirstBatch implements ProcessJobs {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        volatile RuntimeException failure;
        private final AtomicInteger calls = new AtomicInteger();
        private final ProcessJobs delegate;

        HeldFirstBatch(ProcessJobs delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppliedBatch applyBatch(List<RawJob> jobs, Fence fence) {
            if (calls.incrementAndGet() != 1) return delegate.applyBatch(jobs, fence);
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                return delegate.applyBatch(jobs, fence);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            } finally {
                finished.countDown();
            }
        }

        @Override
        public FencingToken takeFencingToken(String resource) {
            return delegate.takeFencingToken(resource);
        }

        @Override
        public void jobsAcknowledged(List<RawJob> jobs, List<Outcome> outcomes) {
            delegate.jobsAcknowledged(jobs, outcomes);
        }
    }
}
