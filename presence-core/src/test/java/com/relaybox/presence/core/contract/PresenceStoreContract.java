package com.relaybox.presence.core.contract;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.Liveness.StaleCursor;
import com.relaybox.presence.core.port.out.Liveness.StalePage;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.core.port.out.StoreResult.Effect;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules of CONTRACT §3 that every {@link PresenceStore} keeps. An implementation's test
 * extends this class; every key a test touches belongs to the app {@link #app}, and every
 * connection id starts with {@code app + ":"}, so an implementation can confine
 * {@link #snapshot()} and its clean-up to them.
 */
public abstract class PresenceStoreContract {
    protected static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(600);

    /** A fresh app id per test, so tests sharing one server never see each other's keys. */
    protected final String app = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private final AtomicLong jobIds = new AtomicLong();
    protected PresenceStore store;

    /** A store with the given tombstone period (CONTRACT §3, disconnect) and job memory. */
    protected abstract PresenceStore newStore(Duration tombstone, JobMemory jobMemory);

    /** Everything the store under test holds for {@link #app}. */
    protected abstract PresenceSnapshot snapshot();

    /**
     * Records the connection's last heartbeat at {@code millis} since the epoch, as RelayBox's session
     * service does (CONTRACT §8), where the store under test reads heartbeats.
     */
    protected abstract void heartbeat(String connection, long millis);

    /** The store under test as the ghost sweeper sees it. */
    protected Liveness liveness() {
        return (Liveness) store;
    }

    @BeforeEach
    void createStore() {
        store = newStore(DEFAULT_TOMBSTONE, JobMemory.DEFAULT);
    }

    // ---- join

    @Test
    void joinAddsTheMemberToTheHashTheIndexAndThePresenceSets() {
        StoreCommand.Join join = join("chat", "c1");

        StoreResult result = apply(join);

        assertThat(result).isEqualTo(StoreResult.changed(List.of(room("chat")), join.timestamp()));
        PresenceSnapshot state = snapshot();
        assertThat(state.members()).isEqualTo(Map.of(app + ":chat", Map.of(conn("c1"), join.memberJson())));
        assertThat(state.indexes()).isEqualTo(Map.of(app + ":chat", List.of(conn("c1"))));
        assertThat(state.presenceSets()).isEqualTo(Map.of(conn("c1"), Set.of(app + ":chat")));
    }

    @Test
    void joinPutsTheConnectionAtTheHeadOfTheIndexOnce() {
        apply(join("chat", "c1"));
        apply(join("chat", "c2"));
        apply(join("chat", "c3"));
        StoreCommand.Join rejoin = join("chat", "c1", "{\"mood\":\"back\"}");

        assertThat(apply(rejoin).effect()).isEqualTo(Effect.CHANGED);

        assertThat(snapshot().indexes().get(app + ":chat")).containsExactly(conn("c1"), conn("c3"), conn("c2"));
        assertThat(snapshot().members().get(app + ":chat").get(conn("c1"))).isEqualTo(rejoin.memberJson());
        assertThat(store.count(room("chat"))).isEqualTo(3);
    }

    @Test
    void aBigRoomKeepsItsOrderThroughJoinsRejoinsLeavesAndDisconnects() {
        // 2,000 members: Redis keeps such an index in several list nodes; the members moved or
        // removed sit at the tail, in the middle and near the head.
        List<StoreCommand> joins = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            joins.add(join("big", "c" + i));
            expected.add(0, conn("c" + i));
        }
        store.apply(joins);

        apply(join("big", "newcomer"));
        expected.add(0, conn("newcomer"));
        apply(join("big", "c0", "{\"from\":\"the tail\"}"));
        expected.remove(conn("c0"));
        expected.add(0, conn("c0"));
        apply(leave("big", "c1000"));
        expected.remove(conn("c1000"));
        apply(join("big", "c1999", "{\"from\":\"near the head\"}"));
        expected.remove(conn("c1999"));
        expected.add(0, conn("c1999"));
        apply(disconnect("c500"));
        expected.remove(conn("c500"));

        PresenceSnapshot state = snapshot();
        assertThat(state.indexes().get(app + ":big")).isEqualTo(expected);
        assertThat(store.count(room("big"))).isEqualTo(1_999);
        assertThat(store.memberPage(room("big"), 0, 3)).extracting(m -> m.connectionId().value())
                .containsExactly(conn("c1999"), conn("c0"), conn("newcomer"));
        assertThat(Invariants.violations(state)).isEmpty();
    }

    @Test
    void roomIdsMayHoldColonsAndAnyCharacter() {
        apply(join("chat:lobby:Ünïcödé-房间", "c1"));

        assertThat(store.rooms(new ConnectionId(conn("c1")))).containsExactly(room("chat:lobby:Ünïcödé-房间"));
        assertThat(store.isMember(room("chat:lobby:Ünïcödé-房间"), new ConnectionId(conn("c1")))).isTrue();
        assertThat(store.isMember(room("chat:lobby"), new ConnectionId(conn("c1")))).isFalse();
        assertThat(Invariants.violations(snapshot())).isEmpty();
    }

    // ---- update

    @Test
    void updateReplacesAMembersJsonAndKeepsItsPlace() {
        apply(join("chat", "c1"));
        apply(join("chat", "c2"));
        StoreCommand.Update update = update("chat", "c1", "{\"typing\":true}");

        assertThat(apply(update)).isEqualTo(StoreResult.changed(List.of(room("chat")), update.timestamp()));

        assertThat(snapshot().indexes().get(app + ":chat")).containsExactly(conn("c2"), conn("c1"));
        assertThat(snapshot().members().get(app + ":chat").get(conn("c1"))).isEqualTo(update.memberJson());
        assertThat(store.memberPage(room("chat"), 1, 1)).extracting(Member::dataJson).containsExactly("{\"typing\":true}");
    }

    @Test
    void updateOfANonMemberChangesNothing() {
        apply(join("chat", "c1"));
        PresenceSnapshot before = snapshot();

        StoreResult result = apply(update("chat", "c2", "{}"));
        StoreResult otherRoom = apply(update("elsewhere", "c1", "{}"));

        assertThat(result.effect()).isEqualTo(Effect.NOT_A_MEMBER);
        assertThat(result.rooms()).isEmpty();
        assertThat(otherRoom.effect()).isEqualTo(Effect.NOT_A_MEMBER);
        assertThat(snapshot()).isEqualTo(before);
    }

    // ---- leave

    @Test
    void leaveRemovesTheMemberEverywhere() {
        apply(join("chat", "c1"));
        apply(join("chat", "c2"));
        apply(join("games", "c1"));

        StoreResult result = apply(leave("chat", "c1"));

        assertThat(result.effect()).isEqualTo(Effect.CHANGED);
        assertThat(result.rooms()).containsExactly(room("chat"));
        PresenceSnapshot state = snapshot();
        assertThat(state.indexes().get(app + ":chat")).containsExactly(conn("c2"));
        assertThat(state.members().get(app + ":chat")).containsOnlyKeys(conn("c2"));
        assertThat(state.presenceSets().get(conn("c1"))).containsExactly(app + ":games");
        assertThat(Invariants.violations(state)).isEmpty();
    }

    @Test
    void theLastLeaveLeavesNoKeysBehind() {
        apply(join("chat", "c1"));

        apply(leave("chat", "c1"));

        assertThat(snapshot()).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
        assertThat(store.count(room("chat"))).isZero();
        assertThat(store.memberPage(room("chat"), 0, 10)).isEmpty();
        assertThat(store.rooms(new ConnectionId(conn("c1")))).isEmpty();
    }

    @Test
    void leaveOfANonMemberChangesNothing() {
        apply(join("chat", "c1"));
        PresenceSnapshot before = snapshot();

        StoreResult result = apply(leave("chat", "c2"));

        assertThat(result.effect()).isEqualTo(Effect.NOT_A_MEMBER);
        assertThat(result.rooms()).isEmpty();
        assertThat(apply(leave("nowhere", "c1")).effect()).isEqualTo(Effect.NOT_A_MEMBER);
        assertThat(snapshot()).isEqualTo(before);
    }

    // ---- disconnect

    @Test
    void disconnectLeavesEveryRoomOfTheConnectionAndNothingElse() {
        apply(join("chat", "c1"));
        apply(join("games", "c1"));
        apply(join("chat:lobby", "c1"));
        apply(join("chat", "c2"));

        StoreResult result = apply(disconnect("c1"));

        assertThat(result.effect()).isEqualTo(Effect.CHANGED);
        assertThat(result.rooms()).containsExactlyInAnyOrder(room("chat"), room("games"), room("chat:lobby"));
        PresenceSnapshot state = snapshot();
        assertThat(state.presenceSets()).containsOnlyKeys(conn("c2"));
        assertThat(state.indexes()).isEqualTo(Map.of(app + ":chat", List.of(conn("c2"))));
        assertThat(Invariants.violations(state)).isEmpty();
    }

    @Test
    void disconnectOfAConnectionInNoRoomChangesNoRoom() {
        StoreResult result = apply(disconnect("c1"));

        assertThat(result.effect()).isEqualTo(Effect.CHANGED);
        assertThat(result.rooms()).isEmpty();
        assertThat(snapshot()).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
    }

    @Test
    void aLateJoinOrUpdateAfterADisconnectIsIgnored() {
        apply(join("chat", "c1"));
        apply(disconnect("c1"));

        StoreResult lateJoin = apply(join("games", "c1"));
        StoreResult lateUpdate = apply(update("chat", "c1", "{}"));

        assertThat(lateJoin.effect()).isEqualTo(Effect.DISCONNECTED);
        assertThat(lateUpdate.effect()).isEqualTo(Effect.DISCONNECTED);
        assertThat(snapshot()).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
        assertThat(apply(join("games", "c2")).effect()).as("other connections join as usual").isEqualTo(Effect.CHANGED);
    }

    @Test
    void theTombstoneExpires() throws InterruptedException {
        store = newStore(Duration.ofSeconds(1), JobMemory.DEFAULT);
        apply(disconnect("c1"));
        assertThat(apply(join("chat", "c1")).effect()).isEqualTo(Effect.DISCONNECTED);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Effect effect;
        do {
            Thread.sleep(100); // polling a server-side expiry: there is nothing to wait on
            effect = apply(join("chat", "c1")).effect();
        } while (effect != Effect.CHANGED && System.nanoTime() < deadline);

        assertThat(effect).isEqualTo(Effect.CHANGED);
        assertThat(store.isMember(room("chat"), new ConnectionId(conn("c1")))).isTrue();
    }

    // ---- ghosts (CONTRACT §8)

    @Test
    void theStaleReadFindsOnlyConnectionsInSomeRoomWithAnOldHeartbeat() {
        apply(join("chat", "stale"));
        apply(join("games", "stale"));
        apply(join("chat", "fresh"));
        apply(join("chat", "silent"));   // no heartbeat entry at all: never a ghost
        heartbeat("stale", 1_000);
        heartbeat("fresh", 9_000);
        heartbeat("gone", 1_000);        // in no room

        StalePage page = liveness().stale(Instant.ofEpochMilli(5_000), StaleCursor.START, 100);

        assertThat(page.ghosts()).containsExactly(ghost("stale", 1_000));
        assertThat(page.next()).as("fewer than the limit: the end").isEmpty();
    }

    @Test
    void theStaleReadPagesThroughEveryOldHeartbeatOnceInTimeOrder() {
        List<String> connections = List.of("a", "b", "c", "d", "e", "f", "g");
        long[] scores = {1_000, 2_000, 2_000, 2_000, 2_000, 3_000, 4_000};
        for (int i = 0; i < connections.size(); i++) {
            apply(join("chat", connections.get(i)));
            heartbeat(connections.get(i), scores[i]);
        }
        List<String> found = new ArrayList<>();
        Optional<StaleCursor> cursor = Optional.of(StaleCursor.START);
        int pages = 0;
        while (cursor.isPresent()) {
            StalePage page = liveness().stale(Instant.ofEpochMilli(4_000), cursor.get(), 2);
            page.ghosts().forEach(ghost -> found.add(ghost.connection().value()));
            cursor = page.next();
            assertThat(++pages).as("pages end").isLessThan(10);
        }

        assertThat(found).containsExactly(conn("a"), conn("b"), conn("c"), conn("d"), conn("e"), conn("f"));
    }

    @Test
    void anEvictionLeavesEveryRoomAndStaysUnconfirmedUntilConfirmed() {
        apply(join("chat", "c1"));
        apply(join("games", "c1"));
        apply(join("chat", "c2"));
        heartbeat("c1", 1_000);
        Ghost ghost = liveness().stale(Instant.ofEpochMilli(5_000), StaleCursor.START, 10).ghosts().get(0);

        StoreResult result = apply(new StoreCommand.Evict(ghost, "2024-10-03T14:00:00.000Z"));

        assertThat(result.effect()).isEqualTo(Effect.CHANGED);
        assertThat(result.rooms()).containsExactlyInAnyOrder(room("chat"), room("games"));
        assertThat(snapshot().presenceSets()).containsOnlyKeys(conn("c2"));
        assertThat(Invariants.violations(snapshot())).isEmpty();
        assertThat(liveness().stale(Instant.ofEpochMilli(5_000), StaleCursor.START, 10).ghosts()).isEmpty();
        assertThat(liveness().unconfirmed(10)).containsExactly(ghost);

        liveness().confirmed(List.of(ghost));

        assertThat(liveness().unconfirmed(10)).isEmpty();
        StoreResult repeat = apply(new StoreCommand.Evict(ghost, "2030-01-01T00:00:00.000Z"));
        assertThat(repeat).as("the same ghost is evicted once").isEqualTo(result.asRepeat());
        assertThat(liveness().unconfirmed(10)).isEmpty();
    }

    @Test
    void anEvictionOfAConnectionWhoseHeartbeatMovedOnChangesNothing() {
        apply(join("chat", "c1"));
        apply(join("chat", "c2"));
        heartbeat("c1", 1_000);
        heartbeat("c2", 1_000);
        List<Ghost> ghosts = liveness().stale(Instant.ofEpochMilli(5_000), StaleCursor.START, 10).ghosts();
        heartbeat("c1", 6_000);   // alive after all
        removeHeartbeat("c2");    // its session ended: its own disconnect follows
        PresenceSnapshot before = snapshot();

        List<StoreResult> results = store.apply(ghosts.stream()
                .<StoreCommand>map(ghost -> new StoreCommand.Evict(ghost, "2024-10-03T14:00:00.000Z")).toList());

        assertThat(results).extracting(StoreResult::effect).containsExactly(Effect.NOT_STALE, Effect.NOT_STALE);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(liveness().unconfirmed(10)).isEmpty();
        assertThat(apply(join("games", "c1")).effect()).isEqualTo(Effect.CHANGED);
    }

    @Test
    void aLateJoinOrUpdateAfterAnEvictionIsIgnoredUntilANewerHeartbeat() {
        apply(join("chat", "c1"));
        heartbeat("c1", 1_000);
        Ghost ghost = liveness().stale(Instant.ofEpochMilli(5_000), StaleCursor.START, 10).ghosts().get(0);
        apply(new StoreCommand.Evict(ghost, "2024-10-03T14:00:00.000Z"));

        assertThat(apply(join("games", "c1")).effect()).isEqualTo(Effect.EVICTED);
        assertThat(apply(update("chat", "c1", "{}")).effect()).isEqualTo(Effect.EVICTED);
        assertThat(snapshot()).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));

        heartbeat("c1", 7_000);

        assertThat(apply(join("games", "c1")).effect()).isEqualTo(Effect.CHANGED);
        assertThat(store.rooms(new ConnectionId(conn("c1")))).containsExactly(room("games"));
        assertThat(apply(join("chat", "c1")).effect()).as("alive again for good").isEqualTo(Effect.CHANGED);
    }

    @Test
    void aDisconnectAfterAnEvictionStillKeepsEveryLateJoinOut() {
        apply(join("chat", "c1"));
        heartbeat("c1", 1_000);
        Ghost ghost = liveness().stale(Instant.ofEpochMilli(5_000), StaleCursor.START, 10).ghosts().get(0);
        apply(new StoreCommand.Evict(ghost, "2024-10-03T14:00:00.000Z"));
        apply(disconnect("c1"));
        heartbeat("c1", 7_000);

        assertThat(apply(join("chat", "c1")).effect()).isEqualTo(Effect.DISCONNECTED);
    }

    @Test
    void oneCandidateAtATimeLeads() {
        assertThat(liveness().lead(app + "-a", Duration.ofSeconds(30))).isTrue();
        assertThat(liveness().lead(app + "-b", Duration.ofSeconds(30))).isFalse();
        assertThat(liveness().lead(app + "-a", Duration.ofMillis(300))).as("the holder renews").isTrue();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean taken;
        do {
            taken = liveness().lead(app + "-b", Duration.ofSeconds(30));
        } while (!taken && System.nanoTime() < deadline);

        assertThat(taken).as("the role passes on once the holder's term ends").isTrue();
        assertThat(liveness().lead(app + "-a", Duration.ofSeconds(30))).isFalse();
    }

    /** The ghost the store reads for a connection joined by {@link #join(String, String)}. */
    protected final Ghost ghost(String connection, long heartbeatMillis) {
        return new Ghost(new ConnectionId(conn(connection)), heartbeatMillis, app, Optional.of(app + ":client-" + connection),
                userJson(connection));
    }

    /** Removes the connection's heartbeat entry, as the session service does when a session ends. */
    protected abstract void removeHeartbeat(String connection);

    // ---- idempotency

    @Test
    void aRepeatedJobIdChangesNothingAndReportsTheFirstApplication() {
        StoreCommand.Join join = join("chat", "c1");
        StoreResult first = apply(join);
        apply(leave("chat", "c1"));

        StoreCommand again = new StoreCommand.Join(join.jobId(), join.room(), join.connection(),
                join.memberJson(), "2030-01-01T00:00:00.000Z");
        StoreResult repeat = apply(again);

        assertThat(repeat).isEqualTo(first.asRepeat());
        assertThat(repeat.timestamp()).isEqualTo(join.timestamp());
        assertThat(snapshot()).as("the member that left is not brought back").isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
    }

    @Test
    void aRepeatedNoOpStaysANoOp() {
        StoreCommand.Leave leave = leave("chat", "c1");
        assertThat(apply(leave).effect()).isEqualTo(Effect.NOT_A_MEMBER);
        apply(join("chat", "c1"));

        StoreResult repeat = apply(leave);

        assertThat(repeat.repeat()).isTrue();
        assertThat(repeat.effect()).isEqualTo(Effect.NOT_A_MEMBER);
        assertThat(store.isMember(room("chat"), new ConnectionId(conn("c1")))).isTrue();
    }

    @Test
    void aRepeatedDisconnectReportsTheRoomsItLeft() {
        apply(join("chat", "c1"));
        apply(join("games", "c1"));
        StoreCommand.Disconnect disconnect = disconnect("c1");
        StoreResult first = apply(disconnect);

        StoreResult repeat = apply(disconnect);

        assertThat(repeat.repeat()).isTrue();
        assertThat(repeat.effect()).isEqualTo(Effect.CHANGED);
        assertThat(repeat.rooms()).containsExactlyInAnyOrderElementsOf(first.rooms());
        assertThat(repeat.timestamp()).isEqualTo(first.timestamp());
    }

    @Test
    void anAcknowledgedJobIsStillARepeat() {
        StoreCommand.Join join = join("chat", "c1");
        StoreResult first = apply(join);
        apply(leave("chat", "c1"));

        store.jobsAcknowledged(List.of(join.jobId()));

        assertThat(apply(join)).as("a producer's retry within the window").isEqualTo(first.asRepeat());
        assertThat(snapshot()).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
    }

    @Test
    void anAcknowledgedJobIsForgottenAfterTheDuplicateWindowAndAnUnacknowledgedOneIsNot() throws InterruptedException {
        store = newStore(DEFAULT_TOMBSTONE, new JobMemory(Duration.ofHours(1), Duration.ofSeconds(1)));
        StoreCommand.Join acknowledged = join("chat", "c1");
        StoreCommand.Join unacknowledged = join("chat", "c2");
        apply(acknowledged);
        apply(unacknowledged);
        apply(leave("chat", "c1"));
        apply(leave("chat", "c2"));
        StoreCommand.Leave neverApplied = leave("chat", "c3");

        store.jobsAcknowledged(List.of(acknowledged.jobId(), neverApplied.jobId()));

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        StoreResult again;
        do {
            Thread.sleep(100); // polling a server-side expiry: there is nothing to wait on
            again = apply(acknowledged);
        } while (again.repeat() && System.nanoTime() < deadline);
        assertThat(again.repeat()).as("forgotten once the window is over").isFalse();
        assertThat(again.effect()).isEqualTo(Effect.CHANGED);

        assertThat(apply(unacknowledged).repeat()).as("not acknowledged: remembered for the whole job memory").isTrue();
        assertThat(store.isMember(room("chat"), new ConnectionId(conn("c2")))).isFalse();
        assertThat(apply(neverApplied).repeat()).as("an id the store did not remember is not made up").isFalse();
        store.jobsAcknowledged(List.of());
    }

    // ---- fencing tokens

    @Test
    void aBatchCarryingTheNewestTokenIsApplied() {
        FencingToken token = store.takeFencingToken(fencedQueue());

        List<StoreResult> results = store.apply(List.of(join("chat", "c1"), join("chat", "c2")), Optional.of(token));

        assertThat(results).extracting(StoreResult::effect).containsExactly(Effect.CHANGED, Effect.CHANGED);
        assertThat(store.count(room("chat"))).isEqualTo(2);
    }

    @Test
    void aBatchCarryingAnOlderTokenChangesNothingAndRemembersNoJob() {
        StoreCommand.Join applied = join("chat", "c1");
        FencingToken older = store.takeFencingToken(fencedQueue());
        store.apply(List.of(applied), Optional.of(older));
        FencingToken newer = store.takeFencingToken(fencedQueue());
        StoreCommand.Leave leave = leave("chat", "c1");
        StoreCommand.Join join = join("chat", "c2");

        assertThatThrownBy(() -> store.apply(List.of(leave, join, applied), Optional.of(older)))
                .isInstanceOf(FencedOutException.class);

        assertThat(snapshot().members().get(app + ":chat")).as("nothing changed").containsOnlyKeys(conn("c1"));
        List<StoreResult> again = store.apply(List.of(leave, join, applied), Optional.of(newer));
        assertThat(again).extracting(StoreResult::repeat).as("no job remembered but the one applied before")
                .containsExactly(false, false, true);
        assertThat(again).extracting(StoreResult::effect).containsExactly(Effect.CHANGED, Effect.CHANGED, Effect.CHANGED);
    }

    @Test
    void everyTakeOfAResourceIsANewTokenAndTheResourcesAreApart() {
        FencingToken first = store.takeFencingToken(fencedQueue());
        FencingToken second = store.takeFencingToken(fencedQueue());
        FencingToken other = store.takeFencingToken(app + "/another-queue");

        assertThat(second.resource()).isEqualTo(first.resource());
        assertThat(second.value()).isNotEqualTo(first.value());
        assertThat(apply(join("chat", "c1"), second).effect()).isEqualTo(Effect.CHANGED);
        assertThat(apply(join("chat", "c2"), other).effect()).as("another resource's token").isEqualTo(Effect.CHANGED);
    }

    @Test
    void aTokenTheStoreNeverGaveIsRefused() {
        // What a holder has after the store lost its tokens (a Redis restart without persistence).
        FencingToken lost = new FencingToken(fencedQueue(), 1);

        assertThatThrownBy(() -> apply(join("chat", "c1"), lost)).isInstanceOf(FencedOutException.class);

        assertThat(snapshot()).isEqualTo(new PresenceSnapshot(Map.of(), Map.of(), Map.of()));
    }

    @Test
    void aBatchWithoutATokenIsUnaffectedByTokens() {
        store.takeFencingToken(fencedQueue());
        StoreCommand.Join join = join("chat", "c1");

        assertThat(apply(join).effect()).isEqualTo(Effect.CHANGED);
        assertThat(apply(join).repeat()).isTrue();
        assertThat(store.isMember(room("chat"), new ConnectionId(conn("c1")))).isTrue();
    }

    /** A resource of this test's own, named as a transport names a queue it consumes. */
    private String fencedQueue() {
        return app + "/presence-0";
    }

    private StoreResult apply(StoreCommand command, FencingToken token) {
        List<StoreResult> results = store.apply(List.of(command), Optional.of(token));
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    // ---- batches

    @Test
    void aBatchIsAppliedInOrderWithOneResultPerCommand() {
        StoreCommand.Join join = join("chat", "c1");
        List<StoreCommand> batch = List.of(
                join,
                update("chat", "c1", "{\"n\":1}"),
                join("chat", "c2"),
                leave("chat", "c2"),
                leave("chat", "c2"),
                join, // the same job id within one batch
                update("chat", "c9", "{}"));

        List<StoreResult> results = store.apply(batch);

        assertThat(results).extracting(StoreResult::effect).containsExactly(
                Effect.CHANGED, Effect.CHANGED, Effect.CHANGED, Effect.CHANGED, Effect.NOT_A_MEMBER,
                Effect.CHANGED, Effect.NOT_A_MEMBER);
        assertThat(results).extracting(StoreResult::repeat).containsExactly(false, false, false, false, false, true, false);
        assertThat(snapshot().members().get(app + ":chat")).containsOnlyKeys(conn("c1"));
        assertThat(snapshot().members().get(app + ":chat").get(conn("c1"))).contains("\"n\":1");
        assertThat(store.apply(List.of())).isEmpty();
    }

    // ---- reads

    @Test
    void readsFollowTheIndex() {
        for (int i = 1; i <= 5; i++) apply(join("chat", "c" + i));

        assertThat(store.memberPage(room("chat"), 0, 2)).extracting(m -> m.connectionId().value())
                .containsExactly(conn("c5"), conn("c4"));
        assertThat(store.memberPage(room("chat"), 2, 10)).extracting(m -> m.connectionId().value())
                .containsExactly(conn("c3"), conn("c2"), conn("c1"));
        assertThat(store.memberPage(room("chat"), 5, 10)).isEmpty();
        assertThat(store.memberPage(room("empty"), 0, 10)).isEmpty();
        assertThat(store.count(room("chat"))).isEqualTo(5);
        assertThat(store.isMember(room("chat"), new ConnectionId(conn("c3")))).isTrue();
        assertThat(store.isMember(room("chat"), new ConnectionId(conn("c6")))).isFalse();
        assertThat(store.rooms(new ConnectionId(conn("c6")))).isEmpty();
    }

    @Test
    void aMemberReadsBackAsItWasWritten() {
        StoreCommand.Join join = join("chat", "c1", "{\"message\":\"héllo \\\"you\\\"\",\"n\":[1,2.5,null]}");
        apply(join);

        Member member = store.memberPage(room("chat"), 0, 1).get(0);

        assertThat(PresenceJson.member(member)).isEqualTo(join.memberJson());
        assertThat(member.clientId()).contains(app + ":client-c1");
    }

    // ---- concurrency

    /**
     * Threads on their own connections share the same rooms; whatever the interleaving, each
     * connection ends where its own sequence of jobs puts it, and every invariant holds.
     */
    @Test
    void concurrentJobsOnSharedRoomsKeepEveryInvariant() throws Exception {
        int threads = 4;
        int jobsPerThread = concurrentJobsPerThread();
        List<String> rooms = List.of("r0", "r1", "r2", "r:3", "r4");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Model>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> runRandomJobs(new Random(42 + thread), "w" + thread, rooms, jobsPerThread)));
            }
            Model expected = new Model();
            for (Future<Model> future : futures) expected.addAll(future.get());

            PresenceSnapshot state = snapshot();
            assertThat(Invariants.violations(state)).isEmpty();
            assertThat(state.members()).isEqualTo(expected.members);
            Map<String, Set<String>> indexedSets = new HashMap<>();
            state.indexes().forEach((room, index) -> indexedSets.put(room, new HashSet<>(index)));
            Map<String, Set<String>> expectedSets = new HashMap<>();
            expected.members.forEach((room, members) -> expectedSets.put(room, members.keySet()));
            assertThat(indexedSets).isEqualTo(expectedSets);
        } finally {
            pool.shutdownNow();
        }
    }

    /** How many jobs each of the four threads sends; a slow store may send fewer. */
    protected int concurrentJobsPerThread() {
        return 2_500;
    }

    private Model runRandomJobs(Random random, String worker, List<String> rooms, int jobs) {
        Model model = new Model();
        int generation = 0;
        List<String> connections = new ArrayList<>();
        for (int c = 0; c < 4; c++) connections.add(worker + "-g0-c" + c);
        int sent = 0;
        while (sent < jobs) {
            int batchSize = 1 + random.nextInt(4);
            List<StoreCommand> batch = new ArrayList<>();
            for (int b = 0; b < batchSize; b++, sent++) {
                int pick = random.nextInt(connections.size());
                String connection = connections.get(pick);
                String room = rooms.get(random.nextInt(rooms.size()));
                int dice = random.nextInt(100);
                StoreCommand command;
                if (dice < 40) {
                    StoreCommand.Join join = join(room, connection, "{\"n\":" + sent + "}");
                    model.join(app + ":" + room, conn(connection), join.memberJson());
                    command = join;
                } else if (dice < 55) {
                    StoreCommand.Update update = update(room, connection, "{\"u\":" + sent + "}");
                    model.update(app + ":" + room, conn(connection), update.memberJson());
                    command = update;
                } else if (dice < 95) {
                    command = leave(room, connection);
                    model.leave(app + ":" + room, conn(connection));
                } else {
                    command = disconnect(connection);
                    model.disconnect(conn(connection));
                    // A disconnected connection never comes back: later jobs use a fresh one.
                    connections.set(pick, worker + "-g" + (++generation) + "-c" + pick);
                }
                batch.add(command);
                if (random.nextInt(50) == 0) batch.add(command); // a duplicate: applies once
            }
            store.apply(batch);
        }
        return model;
    }

    /** The members each connection's own jobs leave behind. */
    private static final class Model {
        final Map<String, Map<String, String>> members = new HashMap<>();

        void join(String room, String connection, String json) {
            members.computeIfAbsent(room, r -> new HashMap<>()).put(connection, json);
        }

        void update(String room, String connection, String json) {
            Map<String, String> roomMembers = members.get(room);
            if (roomMembers != null && roomMembers.containsKey(connection)) roomMembers.put(connection, json);
        }

        void leave(String room, String connection) {
            Map<String, String> roomMembers = members.get(room);
            if (roomMembers == null) return;
            roomMembers.remove(connection);
            if (roomMembers.isEmpty()) members.remove(room);
        }

        void disconnect(String connection) {
            for (String room : List.copyOf(members.keySet())) leave(room, connection);
        }

        void addAll(Model other) {
            other.members.forEach((room, roomMembers) ->
                    members.computeIfAbsent(room, r -> new HashMap<>()).putAll(roomMembers));
        }
    }

    // ---- helpers for subclasses and tests

    protected final NspRoomId room(String roomId) {
        return new NspRoomId(app, roomId);
    }

    protected final String conn(String name) {
        return app + ":" + name;
    }

    protected final StoreResult apply(StoreCommand command) {
        List<StoreResult> results = store.apply(List.of(command));
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    protected final StoreCommand.Join join(String roomId, String connection) {
        return join(roomId, connection, "{\"message\":\"hello\"}");
    }

    protected final StoreCommand.Join join(String roomId, String connection, String dataJson) {
        String timestamp = timestamp();
        return new StoreCommand.Join(nextJobId(), room(roomId), new ConnectionId(conn(connection)),
                memberJson(connection, dataJson, timestamp, EventType.JOIN), timestamp);
    }

    protected final StoreCommand.Update update(String roomId, String connection, String dataJson) {
        String timestamp = timestamp();
        return new StoreCommand.Update(nextJobId(), room(roomId), new ConnectionId(conn(connection)),
                memberJson(connection, dataJson, timestamp, EventType.UPDATE), timestamp);
    }

    protected final StoreCommand.Leave leave(String roomId, String connection) {
        return new StoreCommand.Leave(nextJobId(), room(roomId), new ConnectionId(conn(connection)), timestamp());
    }

    protected final StoreCommand.Disconnect disconnect(String connection) {
        return new StoreCommand.Disconnect(nextJobId(), new ConnectionId(conn(connection)), timestamp());
    }

    private String memberJson(String connection, String dataJson, String timestamp, EventType event) {
        return PresenceJson.member(new Member(Optional.of(app + ":client-" + connection), new ConnectionId(conn(connection)),
                dataJson, timestamp, event, userJson(connection)));
    }

    private static String userJson(String connection) {
        return "{\"id\":\"u-" + connection + "\",\"username\":\"user " + connection + "\"}";
    }

    private JobId nextJobId() {
        return new JobId(app + "-job-" + jobIds.incrementAndGet());
    }

    private String timestamp() {
        long n = jobIds.get();
        return String.format("2024-10-03T14:%02d:%02d.%03dZ", (n / 60_000) % 60, (n / 1000) % 60, n % 1000);
    }
}
