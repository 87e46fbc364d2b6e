package com.relaybox.presence.core.service;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.contract.ForwardingStore;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.json.Jobs;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.EvictGhosts;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static com.relaybox.presence.core.json.Jobs.APP;
import static com.relaybox.presence.core.json.Jobs.CLIENT;
import static com.relaybox.presence.core.json.Jobs.CONNECTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PresenceJobsTest {
    private static final String CHAT = APP + ":chat";
    private static final NspRoomId CHAT_ROOM = NspRoomId.parse(CHAT);
    private static final ConnectionId CONN = new ConnectionId(CONNECTION);

    private Instant now = Instant.parse("2024-10-03T15:00:00.123456Z");
    private static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(5);
    private final InMemoryPresenceStore store = new InMemoryPresenceStore(() -> now, Duration.ofSeconds(600),
            new JobMemory(Duration.ofHours(24), DUPLICATE_WINDOW));
    private final InMemoryBroadcaster broadcaster = new InMemoryBroadcaster();
    private final InMemoryHistory history = new InMemoryHistory();
    private PresenceJobs jobs = jobs(broadcaster, history);

    /** A batch applied unfenced and waited for, as a transport does with one batch. */
    private List<Outcome> processBatch(List<RawJob> batch) {
        ProcessJobs.AppliedBatch applied = jobs.applyBatch(batch, Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        return applied.outcomes();
    }

    private PresenceJobs jobs(PresenceBroadcaster broadcaster, HistoryRecorder history) {
        return new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), store, broadcaster, history, () -> now);
    }

    // ---- join

    @Test
    void aJoinAddsTheMemberAndBroadcastsTheContractsBody() {
        Outcome outcome = jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));

        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        assertThat(store.isMember(CHAT_ROOM, CONN)).isTrue();
        assertThat(broadcaster.sent()).hasSize(1);
        JsonObject body = JsonParser.parseString(broadcaster.sent().get(0).body()).getAsJsonObject();
        assertThat(body.get("nspRoomId").getAsString()).isEqualTo(CHAT);
        assertThat(body.get("event").getAsString()).isEqualTo(CHAT + ":$:presence:join");
        JsonObject data = body.getAsJsonObject("data");
        assertThat(data.get("id").getAsString()).isEqualTo(CLIENT);
        assertThat(data.get("clientId").getAsString()).isEqualTo(CLIENT);
        assertThat(data.get("connectionId").getAsString()).isEqualTo(CONNECTION);
        assertThat(data.get("data").toString()).isEqualTo("{\"message\":\"hello\"}");
        assertThat(data.get("timestamp").getAsString()).isEqualTo("2024-10-03T14:49:14.329Z");
        assertThat(data.get("event").getAsString()).isEqualTo("join");
        assertThat(data.getAsJsonObject("user").get("username").getAsString()).isEqualTo("chippedvolcano425");
        assertThat(body.getAsJsonObject("session").get("socketId").getAsString()).isEqualTo("63836bc5-e304-415a-a93e-230fe5f32c64");
        assertThat(body.getAsJsonObject("latencyLog").get("createdAt").getAsString()).isEqualTo("2024-10-03T14:49:14.325Z");
        assertThat(body.get("requestId").getAsString()).hasSize(36);
    }

    @Test
    void theStoredMemberIsTheBroadcastsDataByteForByte() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));

        String stored = store.memberHashes().get(CHAT).get(CONNECTION);
        assertThat(broadcaster.sent().get(0).body()).contains("\"data\":" + stored + ",\"session\":");
    }

    @Test
    void aJobWithoutTimestampTakesTheProcessingTimeInMilliseconds() {
        jobs.process(Jobs.raw("join", "job-1", CHAT, body -> body.getAsJsonObject("message").remove("timestamp")));

        assertThat(broadcaster.events().get(0).member().timestamp()).isEqualTo("2024-10-03T15:00:00.123Z");
    }

    @Test
    void aTimestampInMillisecondsIsBroadcastAsGivenAndRecordedAsItsInstant() {
        jobs.process(Jobs.raw("join", "job-1", CHAT, body -> body.getAsJsonObject("message")
                .addProperty("timestamp", 1727966954329L)));

        JsonObject data = JsonParser.parseString(broadcaster.sent().get(0).body()).getAsJsonObject().getAsJsonObject("data");
        assertThat(data.get("timestamp").getAsJsonPrimitive().isNumber()).isTrue();
        assertThat(data.get("timestamp").toString()).isEqualTo("1727966954329");
        assertThat(store.memberHashes().get(CHAT).get(CONNECTION)).contains("\"timestamp\":1727966954329,");
        assertThat(history.all().get(0).timestamp()).isEqualTo(Instant.ofEpochMilli(1727966954329L));
    }

    @Test
    void absentDataAndUserBroadcastAsNull() {
        jobs.process(Jobs.raw("join", "job-1", CHAT, body -> {
            body.remove("message");
            body.getAsJsonObject("session").remove("user");
        }));

        JsonObject data = JsonParser.parseString(broadcaster.sent().get(0).body()).getAsJsonObject().getAsJsonObject("data");
        assertThat(data.get("data").isJsonNull()).isTrue();
        assertThat(data.get("user").isJsonNull()).isTrue();
    }

    // ---- update and leave act on members only

    @Test
    void anUpdateOfAMemberReplacesItAndBroadcastsUpdate() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));

        Outcome outcome = jobs.process(Jobs.raw("update", "job-2", CHAT,
                body -> body.getAsJsonObject("message").add("data", JsonParser.parseString("{\"typing\":true}"))));

        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        assertThat(broadcaster.events()).extracting(PresenceEvent::eventName)
                .containsExactly(CHAT + ":$:presence:join", CHAT + ":$:presence:update");
        assertThat(store.memberPage(CHAT_ROOM, 0, 1).get(0).dataJson()).isEqualTo("{\"typing\":true}");
        assertThat(store.memberPage(CHAT_ROOM, 0, 1).get(0).event()).isEqualTo(EventType.UPDATE);
    }

    @Test
    void anUpdateOrLeaveOfANonMemberIsIgnoredAndBroadcastsNothing() {
        Outcome update = jobs.process(Jobs.raw("update", "job-1", Jobs.body("update", CHAT)));
        Outcome leave = jobs.process(Jobs.raw("leave", "job-2", Jobs.body("leave", CHAT)));

        assertThat(update).isEqualTo(new Outcome.Ignored("connection " + CONNECTION + " is not a member of " + CHAT));
        assertThat(leave).isEqualTo(new Outcome.Ignored("connection " + CONNECTION + " is not a member of " + CHAT));
        assertThat(broadcaster.sent()).isEmpty();
        assertThat(history.all()).isEmpty();
    }

    @Test
    void aLeaveRemovesTheMemberAndBroadcastsLeaveWithTheJobsData() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));

        Outcome outcome = jobs.process(Jobs.raw("leave", "job-2", CHAT,
                body -> body.getAsJsonObject("message").add("data", JsonParser.parseString("{\"bye\":1}"))));

        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        assertThat(store.isMember(CHAT_ROOM, CONN)).isFalse();
        assertThat(store.indexes()).isEmpty();
        PresenceEvent leave = broadcaster.events().get(1);
        assertThat(leave.eventName()).isEqualTo(CHAT + ":$:presence:leave");
        assertThat(leave.member().event()).isEqualTo(EventType.LEAVE);
        assertThat(leave.member().dataJson()).isEqualTo("{\"bye\":1}");
    }

    // ---- disconnect

    @Test
    void aDisconnectLeavesEveryRoomWithALeaveBroadcastEach() {
        for (String room : List.of("chat", "games", "chat:lobby"))
            jobs.process(Jobs.raw("join", "join-" + room, Jobs.body("join", APP + ":" + room)));
        broadcaster.clear();

        Outcome outcome = jobs.process(Jobs.raw("disconnect", "job-d", Jobs.disconnectBody()));

        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        assertThat(((Outcome.Applied) outcome).events()).hasSize(3);
        assertThat(broadcaster.events()).extracting(PresenceEvent::eventName).containsExactlyInAnyOrder(
                APP + ":chat:$:presence:leave", APP + ":games:$:presence:leave", APP + ":chat:lobby:$:presence:leave");
        assertThat(broadcaster.events()).allSatisfy(event -> {
            assertThat(event.member().event()).isEqualTo(EventType.LEAVE);
            assertThat(event.member().clientId()).contains(CLIENT);
            assertThat(event.member().timestamp()).isEqualTo("2024-10-03T14:50:00.000Z");
        });
        assertThat(store.presenceSets()).isEmpty();
        assertThat(store.indexes()).isEmpty();
        assertThat(history.all()).filteredOn(r -> r.jobId().equals(new JobId("job-d")))
                .extracting(HistoryRecord::eventIndex).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aLateJoinOrUpdateAfterADisconnectIsIgnoredUntilTheTombstoneExpires() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));
        jobs.process(Jobs.raw("disconnect", "job-2", Jobs.disconnectBody()));
        broadcaster.clear();

        Outcome lateJoin = jobs.process(Jobs.raw("join", "job-3", Jobs.body("join", CHAT)));
        Outcome lateUpdate = jobs.process(Jobs.raw("update", "job-4", Jobs.body("update", CHAT)));

        assertThat(lateJoin).isEqualTo(new Outcome.Ignored("connection " + CONNECTION + " disconnected recently; its late presence:join is ignored"));
        assertThat(lateUpdate).isInstanceOf(Outcome.Ignored.class);
        assertThat(broadcaster.sent()).isEmpty();
        assertThat(store.isMember(CHAT_ROOM, CONN)).isFalse();

        now = now.plusSeconds(599);
        assertThat(jobs.process(Jobs.raw("join", "job-5", Jobs.body("join", CHAT)))).isInstanceOf(Outcome.Ignored.class);
        now = now.plusSeconds(1);
        assertThat(jobs.process(Jobs.raw("join", "job-6", Jobs.body("join", CHAT)))).isInstanceOf(Outcome.Applied.class);
    }

    // ---- duplicates and redeliveries

    @Test
    void aProducersDuplicateChangesStateOnceAndIsNotBroadcastAgain() {
        RawJob join = Jobs.raw("join", "job-1", Jobs.body("join", CHAT));
        jobs.process(join);
        jobs.process(Jobs.raw("leave", "job-2", Jobs.body("leave", CHAT)));

        Outcome duplicate = jobs.process(join);

        assertThat(duplicate).isEqualTo(new Outcome.Ignored("duplicate of job job-1, already applied"));
        assertThat(store.isMember(CHAT_ROOM, CONN)).as("the duplicate does not undo the leave").isFalse();
        assertThat(broadcaster.sent()).hasSize(2);
        assertThat(history.all()).hasSize(2);
    }

    @Test
    void aRedeliveryOfAnAppliedJobIsBroadcastAgainWithTheSameData() {
        RawJob join = Jobs.raw("join", "job-1", CHAT, body -> body.getAsJsonObject("message").remove("timestamp"));
        jobs.process(join);
        now = now.plusSeconds(30);

        Outcome redelivered = jobs.process(join.asRedelivery());

        assertThat(redelivered).isInstanceOf(Outcome.Applied.class);
        assertThat(broadcaster.events()).hasSize(2);
        assertThat(broadcaster.events().get(1)).as("same event, same generated timestamp").isEqualTo(broadcaster.events().get(0));
        assertThat(broadcaster.sent().get(1).body()).isNotEqualTo(broadcaster.sent().get(0).body()); // a fresh requestId
        assertThat(store.count(CHAT_ROOM)).isEqualTo(1);
        assertThat(history.all()).as("history keeps it once").hasSize(1);
    }

    @Test
    void aJobAcknowledgedIsRememberedForTheDuplicateWindowOneNotAcknowledgedForTheJobMemory() {
        RawJob acknowledged = Jobs.raw("join", "job-1", Jobs.body("join", CHAT));
        RawJob unacknowledged = Jobs.raw("leave", "job-2", Jobs.body("leave", CHAT));
        RawJob rejected = Jobs.raw("join", "", Jobs.body("join", CHAT));
        List<RawJob> batch = List.of(acknowledged, unacknowledged, rejected);
        List<Outcome> outcomes = processBatch(batch);
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Rejected.class);

        jobs.jobsAcknowledged(List.of(acknowledged, rejected), List.of(outcomes.get(0), outcomes.get(2)));
        now = now.plus(DUPLICATE_WINDOW).minusMillis(1);
        assertThat(processBatch(List.of(acknowledged))).as("a producer's retry inside the window")
                .containsExactly(new Outcome.Ignored("duplicate of job job-1, already applied"));
        now = now.plus(Duration.ofHours(1));

        assertThat(processBatch(List.of(unacknowledged.asRedelivery())).get(0)).as("redelivered after an hour's outage")
                .isInstanceOf(Outcome.Applied.class);
        assertThat(store.count(CHAT_ROOM)).as("recognised: the leave is not applied again").isZero();
        assertThat(processBatch(List.of(acknowledged)).get(0)).as("after the window a duplicate applies again")
                .isInstanceOf(Outcome.Applied.class);
        assertThat(store.count(CHAT_ROOM)).isEqualTo(1);
    }

    @Test
    void aJobProcessedAndAnsweredIsAcknowledged() {
        RawJob join = Jobs.raw("join", "job-1", Jobs.body("join", CHAT));
        jobs.process(join);
        jobs.process(Jobs.raw("leave", "job-2", Jobs.body("leave", CHAT)));
        now = now.plus(DUPLICATE_WINDOW);

        assertThat(jobs.process(join)).isInstanceOf(Outcome.Applied.class);
    }

    @Test
    void aRedeliveredNoOpStaysIgnored() {
        RawJob leave = Jobs.raw("leave", "job-1", Jobs.body("leave", CHAT));
        jobs.process(leave);
        jobs.process(Jobs.raw("join", "job-2", Jobs.body("join", CHAT)));

        Outcome again = jobs.process(leave.asRedelivery());

        assertThat(again).isInstanceOf(Outcome.Ignored.class);
        assertThat(store.isMember(CHAT_ROOM, CONN)).isTrue();
    }

    @Test
    void aBroadcastThatFailsIsRetriedAsARedeliveryWithoutChangingStateTwice() {
        AtomicInteger failures = new AtomicInteger(1);
        PresenceBroadcaster flaky = (events, fence) -> {
            if (failures.getAndDecrement() > 0) throw new DependencyUnavailableException("broker down");
            return broadcaster.broadcast(events, fence);
        };
        jobs = jobs(flaky, history);
        List<RawJob> batch = List.of(Jobs.raw("join", "job-1", CHAT, body -> body.getAsJsonObject("message").remove("timestamp")));

        assertThatThrownBy(() -> processBatch(batch)).isInstanceOf(DependencyUnavailableException.class);
        assertThat(store.isMember(CHAT_ROOM, CONN)).as("applied before the broadcast failed").isTrue();
        now = now.plusSeconds(5);
        List<Outcome> retried = processBatch(batch.stream().map(RawJob::asRedelivery).toList());

        assertThat(retried.get(0)).isInstanceOf(Outcome.Applied.class);
        assertThat(broadcaster.events()).hasSize(1);
        assertThat(broadcaster.events().get(0).member().timestamp()).as("the time of the first application")
                .isEqualTo("2024-10-03T15:00:00.123Z");
        assertThat(history.all()).hasSize(1);
    }

    @Test
    void aHistoryFailureIsRetriedAndRecordsOnce() {
        AtomicInteger failures = new AtomicInteger(2);
        HistoryRecorder flaky = records -> {
            if (failures.getAndDecrement() > 0) throw new DependencyUnavailableException("history down");
            return history.record(records);
        };
        jobs = jobs(broadcaster, flaky);
        RawJob join = Jobs.raw("join", "job-1", Jobs.body("join", CHAT));

        assertThatThrownBy(() -> jobs.process(join)).isInstanceOf(DependencyUnavailableException.class);
        assertThatThrownBy(() -> jobs.process(join.asRedelivery())).isInstanceOf(DependencyUnavailableException.class);
        assertThat(jobs.process(join.asRedelivery())).isInstanceOf(Outcome.Applied.class);

        assertThat(history.all()).hasSize(1);
        assertThat(broadcaster.sent()).as("broadcasts are at least once").hasSize(3);
        assertThat(broadcaster.events()).containsOnly(broadcaster.events().get(0));
    }

    @Test
    void aBatchIsAppliedAndSentWithoutWaitingForItsConfirmations() {
        List<CompletableFuture<Void>> broadcastConfirms = new ArrayList<>();
        List<CompletableFuture<Void>> historyConfirms = new ArrayList<>();
        PresenceBroadcaster unconfirmed = (events, fence) -> {
            broadcaster.broadcast(events, fence);
            CompletableFuture<Void> confirm = new CompletableFuture<>();
            broadcastConfirms.add(confirm);
            return confirm;
        };
        HistoryRecorder unrecorded = records -> {
            history.record(records);
            CompletableFuture<Void> confirm = new CompletableFuture<>();
            historyConfirms.add(confirm);
            return confirm;
        };
        jobs = jobs(unconfirmed, unrecorded);

        ProcessJobs.AppliedBatch first = jobs.applyBatch(List.of(Jobs.raw("join", "job-1", Jobs.body("join", CHAT))), Fence.UNFENCED);
        ProcessJobs.AppliedBatch second = jobs.applyBatch(List.of(Jobs.raw("leave", "job-2", Jobs.body("leave", CHAT))), Fence.UNFENCED);

        assertThat(first.outcomes()).singleElement().isInstanceOf(Outcome.Applied.class);
        assertThat(second.outcomes()).singleElement().isInstanceOf(Outcome.Applied.class);
        assertThat(broadcaster.events()).extracting(PresenceEvent::eventName)
                .containsExactly(CHAT + ":$:presence:join", CHAT + ":$:presence:leave");
        assertThat(first.confirmed()).isNotDone();

        broadcastConfirms.get(0).complete(null);
        assertThat(first.confirmed()).as("history of the first batch not yet confirmed").isNotDone();
        historyConfirms.get(0).complete(null);
        assertThat(first.confirmed()).isCompleted();
        assertThat(second.confirmed()).isNotDone();

        historyConfirms.get(1).completeExceptionally(new DependencyUnavailableException("history down"));
        broadcastConfirms.get(1).complete(null);
        assertThat(second.confirmed()).isCompletedExceptionally();
    }

    @Test
    void aFailedHistoryConfirmationFailsTheBatch() {
        jobs = jobs(broadcaster, records -> CompletableFuture.failedFuture(new DependencyUnavailableException("history down")));

        assertThatThrownBy(() -> jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT))))
                .isInstanceOf(DependencyUnavailableException.class).hasMessage("history down");
        assertThat(broadcaster.sent()).as("the broadcast went out; the retry sends it again").hasSize(1);
    }

    // ---- batches

    @Test
    void aBatchGivesOneOutcomePerJobInOrderAndBroadcastsInOrder() {
        List<RawJob> batch = List.of(
                Jobs.raw("join", "job-1", Jobs.body("join", CHAT)),
                new RawJob("presence:wave", "job-2", new byte[]{'{', '}'}, false),
                Jobs.raw("update", "job-3", Jobs.body("update", CHAT)),
                Jobs.raw("leave", "job-4", Jobs.body("leave", APP + ":elsewhere")),
                Jobs.raw("leave", "job-5", Jobs.body("leave", CHAT)));

        List<Outcome> outcomes = processBatch(batch);

        assertThat(outcomes).hasSize(5);
        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Applied.class);
        assertThat(outcomes.get(1)).isEqualTo(new Outcome.Rejected("unknown job type 'presence:wave'"));
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Applied.class);
        assertThat(outcomes.get(3)).isInstanceOf(Outcome.Ignored.class);
        assertThat(outcomes.get(4)).isInstanceOf(Outcome.Applied.class);
        assertThat(broadcaster.events()).extracting(PresenceEvent::type)
                .containsExactly(EventType.JOIN, EventType.UPDATE, EventType.LEAVE);
        assertThat(history.all()).extracting(HistoryRecord::event)
                .containsExactly(EventType.JOIN, EventType.UPDATE, EventType.LEAVE);
    }

    @Test
    void aJobMeetingCorruptStateIsRejectedAndTheOthersOfItsBatchAreApplied() {
        String corrupt = APP + ":corrupt";
        NspRoomId corruptRoom = NspRoomId.parse(corrupt);
        PresenceStore refusing = new ForwardingStore(store) {
            @Override
            public List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
                for (StoreCommand command : commands)
                    if (corruptRoom.equals(command.match(StoreCommand.Join::room, StoreCommand.Update::room,
                            StoreCommand.Leave::room, disconnect -> null, evict -> null)))
                        throw new CorruptStateException("presence:" + corrupt + ":members holds a string");
                return store.apply(commands, token);
            }
        };
        jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), refusing, broadcaster, history, () -> now);

        List<Outcome> outcomes = processBatch(List.of(
                Jobs.raw("join", "job-1", Jobs.body("join", CHAT)),
                Jobs.raw("join", "job-2", Jobs.body("join", corrupt)),
                Jobs.raw("join", "job-3", Jobs.body("join", APP + ":other"))));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Applied.class);
        assertThat(outcomes.get(1)).isEqualTo(new Outcome.Rejected("corrupt state: presence:" + corrupt + ":members holds a string"));
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Applied.class);
        assertThat(broadcaster.events()).extracting(PresenceEvent::eventName)
                .containsExactly(CHAT + ":$:presence:join", APP + ":other:$:presence:join");
        assertThat(history.all()).hasSize(2);
    }

    @Test
    void aRejectedJobChangesNothing() {
        Outcome outcome = jobs.process(Jobs.raw("join", "job-1", CHAT, body -> body.addProperty("subscription", "x")));

        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        assertThat(store.indexes()).isEmpty();
        assertThat(broadcaster.sent()).isEmpty();
        assertThat(history.all()).isEmpty();
    }

    // ---- every kind through the one port

    @Test
    void eachKindOfJobIsAppliedAsItsOwnKind() {
        assertThat(jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)))).isInstanceOf(Outcome.Applied.class);
        assertThat(jobs.process(Jobs.raw("update", "job-2", Jobs.body("update", CHAT)))).isInstanceOf(Outcome.Applied.class);
        assertThat(jobs.process(Jobs.raw("leave", "job-3", Jobs.body("leave", CHAT)))).isInstanceOf(Outcome.Applied.class);
        assertThat(jobs.process(Jobs.raw("disconnect", "job-4", Jobs.disconnectBody()))).isEqualTo(new Outcome.Applied(List.of()));
        assertThat(broadcaster.events()).extracting(PresenceEvent::type)
                .containsExactly(EventType.JOIN, EventType.UPDATE, EventType.LEAVE);
        assertThat(Optional.of(history.all().get(0).timestamp())).contains(Instant.parse("2024-10-03T14:49:14.329Z"));
    }
    // ---- ghosts (CONTRACT §8)

    @Test
    void anEvictionBroadcastsAndRecordsALeavePerRoomOnceUnlessRedelivered() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));
        jobs.process(Jobs.raw("join", "job-2", Jobs.body("join", APP + ":games")));
        store.heartbeat(CONN, now.minusSeconds(120));
        Ghost ghost = store.stale(now.minusSeconds(90), Liveness.StaleCursor.START, 10).ghosts().get(0);

        List<Outcome> first = evict(new EvictGhosts.Eviction(ghost, false));
        now = now.plusSeconds(1);
        List<Outcome> duplicate = evict(new EvictGhosts.Eviction(ghost, false));
        List<Outcome> redelivered = evict(new EvictGhosts.Eviction(ghost, true));

        assertThat(first.get(0)).isInstanceOf(Outcome.Applied.class);
        assertThat(duplicate.get(0)).isInstanceOf(Outcome.Ignored.class);
        assertThat(redelivered.get(0)).isInstanceOf(Outcome.Applied.class);
        List<InMemoryBroadcaster.Sent> leaves = broadcaster.sent().stream()
                .filter(sent -> sent.event().type() == EventType.LEAVE).toList();
        assertThat(leaves).hasSize(4);
        assertThat(leaves.get(2).event().member()).as("a redelivery repeats the same data").isEqualTo(leaves.get(0).event().member());
        JsonObject data = JsonParser.parseString(leaves.get(0).body()).getAsJsonObject().getAsJsonObject("data");
        assertThat(data.get("clientId").getAsString()).isEqualTo(CLIENT);
        assertThat(data.get("data").isJsonNull()).isTrue();
        assertThat(history.all().stream().filter(r -> r.event() == EventType.LEAVE).map(HistoryRecord::jobId))
                .containsOnly(ghost.jobId()).hasSize(2);
    }

    @Test
    void anEvictionAcknowledgedIsRememberedForTheDuplicateWindow() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));
        store.heartbeat(CONN, now.minusSeconds(120));
        Ghost ghost = store.stale(now.minusSeconds(90), Liveness.StaleCursor.START, 10).ghosts().get(0);
        evict(new EvictGhosts.Eviction(ghost, false));

        jobs.evictionsAcknowledged(List.of(ghost));
        now = now.plus(DUPLICATE_WINDOW).minusMillis(1);
        assertThat(evict(new EvictGhosts.Eviction(ghost, true)).get(0)).as("still remembered: its leaves go again")
                .isInstanceOf(Outcome.Applied.class);
        now = now.plusMillis(1);

        assertThat(evict(new EvictGhosts.Eviction(ghost, true)).get(0)).as("forgotten: applied afresh, in no room now")
                .isEqualTo(new Outcome.Applied(List.of()));
    }

    @Test
    void anEvictionOfAConnectionThatHeartbeatAgainIsIgnored() {
        jobs.process(Jobs.raw("join", "job-1", Jobs.body("join", CHAT)));
        store.heartbeat(CONN, now.minusSeconds(120));
        Ghost ghost = store.stale(now.minusSeconds(90), Liveness.StaleCursor.START, 10).ghosts().get(0);
        store.heartbeat(CONN, now);

        List<Outcome> outcomes = evict(new EvictGhosts.Eviction(ghost, false));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Ignored.class);
        assertThat(((Outcome.Ignored) outcomes.get(0)).why()).contains("is no ghost");
        assertThat(store.isMember(CHAT_ROOM, CONN)).isTrue();
    }

    private List<Outcome> evict(EvictGhosts.Eviction eviction) {
        ProcessJobs.AppliedBatch applied = jobs.evict(List.of(eviction), Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        return applied.outcomes();
    }
}
