package com.relaybox.presence.app;

import com.google.gson.JsonObject;
import com.relaybox.presence.adapter.rabbitmq.RabbitBroadcaster;
import com.relaybox.presence.adapter.redis.RedisPresenceStore;
import com.relaybox.presence.adapter.redis.RedisSettings;
import com.relaybox.presence.app.ServicesFixture.Broadcast;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.port.in.ProcessJobs.AppliedBatch;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.GhostSweeper;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ghosts (CONTRACT §8) against the real Redis and RabbitMQ: the sweeper as the service runs it, over
 * {@link RedisPresenceStore} with a heartbeat key of the test's own and {@link RabbitBroadcaster} on a
 * virtual host of its own; history in memory. Heartbeats are written as RelayBox's session service
 * writes them; a stale one is a minute old, beyond the 30 s timeout, so no test waits for a timeout.
 */
class GhostSweeperIT {
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final GhostSweeper.Settings SETTINGS =
            new GhostSweeper.Settings(Duration.ofSeconds(30), Duration.ofMillis(100), 50);

    private final ServicesFixture services = new ServicesFixture();
    private final String app = services.appPid;
    private final String heartbeats = services.heartbeatKey();
    private final InMemoryHistory history = new InMemoryHistory();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final AtomicInteger jobIds = new AtomicInteger();
    private ConcurrentLinkedQueue<Broadcast> broadcasts;
    private RedisPresenceStore store;
    private PresenceJobs jobs;

    @BeforeEach
    void connect() throws Exception {
        broadcasts = services.listen();
        store = store();
        jobs = jobs(store, broadcaster());
    }

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(opened);
        for (AutoCloseable resource : opened) resource.close();
        services.close();
    }

    @Test
    void aStaleConnectionLeavesEveryRoomWithOneLeaveEachAndHistoryWhileFreshAndSilentOnesStay() {
        join("ghost", "a", "b", "c");
        join("fresh", "a");
        join("silent", "a");   // no heartbeat entry at all
        heartbeat("ghost", System.currentTimeMillis() - 60_000);
        heartbeat("fresh", System.currentTimeMillis());
        Sweeps sweeps = new Sweeps();

        sweeper(store, jobs, "one", sweeps).start();

        Poll.await(WITHIN, "the ghost's three leaves", () -> leaves().size() >= 3);
        sweeps.awaitMore(2);
        List<Broadcast> leaves = leaves();
        assertThat(leaves).extracting(Broadcast::room).containsExactlyInAnyOrder(room("a"), room("b"), room("c"));
        for (Broadcast leave : leaves) {
            JsonObject data = leave.data();
            assertThat(data.get("connectionId").getAsString()).isEqualTo(conn("ghost"));
            assertThat(data.get("clientId").getAsString()).as("who left, from the member").isEqualTo(client("ghost"));
            assertThat(data.getAsJsonObject("user").get("username").getAsString()).isEqualTo("user ghost");
            assertThat(leave.body().get("event").getAsString()).isEqualTo(leave.room() + ":$:presence:leave");
        }
        assertThat(store.rooms(new ConnectionId(conn("ghost")))).isEmpty();
        assertThat(store.memberPage(NspRoomId.parse(room("a")), 0, 10)).extracting(m -> m.connectionId().value())
                .containsExactlyInAnyOrder(conn("fresh"), conn("silent"));
        List<HistoryRecord> recorded = history.all().stream().filter(r -> r.event().wireName().equals("leave")).toList();
        assertThat(recorded).extracting(r -> r.room().toString()).containsExactlyInAnyOrder(room("a"), room("b"), room("c"));
        assertThat(recorded).extracting(r -> r.jobId().value()).allMatch(id -> id.startsWith("ghost:"));
        assertThat(store.unconfirmed(10)).isEmpty();
        assertThat(sweeps.ghosts.get()).isEqualTo(1);
    }

    @Test
    void aLateJoinAfterTheEvictionIsIgnoredAndAJoinAfterANewerHeartbeatApplies() {
        join("ghost", "a");
        heartbeat("ghost", System.currentTimeMillis() - 60_000);
        Sweeps sweeps = new Sweeps();
        sweeper(store, jobs, "one", sweeps).start();
        Poll.await(WITHIN, "the eviction", () -> leaves().size() >= 1);

        Outcome late = jobs.process(joinJob("ghost", "b"));

        assertThat(late).isInstanceOf(Outcome.Ignored.class);
        assertThat(((Outcome.Ignored) late).why()).contains("evicted as a ghost");
        assertThat(store.rooms(new ConnectionId(conn("ghost")))).isEmpty();

        heartbeat("ghost", System.currentTimeMillis());
        Outcome alive = jobs.process(joinJob("ghost", "b"));
        sweeps.awaitMore(2);

        assertThat(alive).isInstanceOf(Outcome.Applied.class);
        assertThat(store.rooms(new ConnectionId(conn("ghost")))).containsExactly(NspRoomId.parse(room("b")));
        assertThat(leaves()).hasSize(1);
    }

    @Test
    void twoSweepersAtOnceBroadcastEachLeaveOnce() throws Exception {
        int ghosts = 30;
        long stale = System.currentTimeMillis() - 60_000;
        for (int i = 0; i < ghosts; i++) {
            join("g" + i, "x", "y");
            heartbeat("g" + i, stale + i % 3);   // ties at each score, to page across them
        }
        RedisPresenceStore other = store();
        Sweeps first = new Sweeps();
        Sweeps second = new Sweeps();

        sweeper(store, jobs, "first", first).start();
        sweeper(other, jobs(other, broadcaster()), "second", second).start();

        Poll.await(WITHIN, "every leave", () -> leaves().size() >= 2 * ghosts);
        int target = sweepsNow(first, second) + 2;
        Poll.await(WITHIN, "two more sweeps", () -> sweepsNow(first, second) >= target);
        Set<String> distinct = new HashSet<>();
        for (Broadcast leave : leaves()) distinct.add(leave.room() + " " + leave.data().get("connectionId").getAsString());
        assertThat(leaves()).hasSize(2 * ghosts);
        assertThat(distinct).hasSize(2 * ghosts);
        assertThat(first.ghosts.get() + second.ghosts.get()).isEqualTo(ghosts);
    }

    @Test
    void anEvictionWhoseLeavesWereNeverConfirmedIsFinishedByTheNextLeaderWithItsLeaves() throws Exception {
        join("ghost", "a", "b");
        heartbeat("ghost", System.currentTimeMillis() - 60_000);
        PresenceBroadcaster brokerAway = (events, fence) ->
                CompletableFuture.failedFuture(new DependencyUnavailableException("the broker is away"));
        GhostSweeper dying = sweeper(store, jobs(store, brokerAway), "dying", new Sweeps());
        dying.start();
        Poll.await(WITHIN, "the eviction applied, unconfirmed", () -> !store.unconfirmed(10).isEmpty());
        dying.close();   // it dies before its leaves ever went out
        assertThat(store.rooms(new ConnectionId(conn("ghost")))).isEmpty();
        assertThat(leaves()).isEmpty();

        RedisPresenceStore next = store();
        Sweeps sweeps = new Sweeps();
        sweeper(next, jobs(next, broadcaster()), "next", sweeps).start();

        Poll.await(WITHIN, "both leaves, from the next leader", () -> leaves().size() >= 2);
        Poll.await(WITHIN, "the eviction confirmed", () -> next.unconfirmed(10).isEmpty());
        sweeps.awaitMore(2);
        assertThat(leaves()).extracting(Broadcast::room).containsExactlyInAnyOrder(room("a"), room("b"));
        assertThat(history.all().stream().filter(r -> r.event().wireName().equals("leave")).count()).isEqualTo(2);
    }

    @Test
    void aSweepOfManyGhostsLeavesJobsGoingOn() throws Exception {
        int ghosts = 1_000;
        long stale = System.currentTimeMillis() - 60_000;
        List<RawJob> ghostJoins = new ArrayList<>();
        Map<String, Double> scores = new HashMap<>();
        for (int i = 0; i < ghosts; i++) {
            ghostJoins.add(joinJob("g" + i, "g" + (i % 10)));
            scores.put(conn("g" + i), (double) stale + i);
        }
        for (int i = 0; i < ghosts; i += 200) Confirmations.await(jobs.applyBatch(ghostJoins.subList(i, i + 200), Fence.UNFENCED).confirmed());
        services.redis.zadd(heartbeats, scores);
        Sweeps sweeps = new Sweeps();
        ExecutorService stream = Executors.newSingleThreadExecutor();
        try {
            sweeper(store, jobs, "one", sweeps).start();
            Future<List<Outcome>> live = stream.submit(() -> {
                List<Outcome> outcomes = new ArrayList<>();
                for (int i = 0; i < 300; i++) outcomes.add(jobs.process(joinJob("live" + i, "live" + (i % 5))));
                return outcomes;
            });

            assertThat(live.get()).allMatch(outcome -> outcome instanceof Outcome.Applied);
            Poll.await(WITHIN, "every ghost's leave", () -> leaves().size() >= ghosts);
            sweeps.awaitMore(1);
        } finally {
            stream.shutdownNow();
        }
        assertThat(leaves()).hasSize(ghosts);
        for (int room = 0; room < 5; room++) assertThat(store.count(NspRoomId.parse(room("live" + room)))).isEqualTo(60);
        for (int room = 0; room < 10; room++) assertThat(store.count(NspRoomId.parse(room("g" + room)))).isZero();
        assertThat(sweeps.ghosts.get()).isEqualTo(ghosts);
    }

    // ---- the parts, as the service wires them

    private RedisPresenceStore store() {
        RedisPresenceStore created = new RedisPresenceStore(RedisSettings.of("127.0.0.1", 6379, false, Optional.empty(), 4)
                .withHeartbeatKey(heartbeats));
        opened.add(created);
        return created;
    }

    private RabbitBroadcaster broadcaster() {
        RabbitBroadcaster created = new RabbitBroadcaster(services.rabbitSettings());
        opened.add(created);
        return created;
    }

    private PresenceJobs jobs(RedisPresenceStore on, PresenceBroadcaster broadcaster) {
        return new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), on, broadcaster, history, TimeSource.system());
    }

    private GhostSweeper sweeper(RedisPresenceStore on, PresenceJobs evicting, String name, Sweeps sweeps) {
        GhostSweeper sweeper = new GhostSweeper(on, evicting, TimeSource.system(), SETTINGS, sweeps, app + "-" + name);
        opened.add(sweeper);
        return sweeper;
    }

    /** What the sweepers told: sweeps done and ghosts evicted. */
    private static final class Sweeps implements GhostSweeper.Listener {
        final AtomicInteger sweeps = new AtomicInteger();
        final AtomicInteger ghosts = new AtomicInteger();

        @Override
        public void swept(int evicted, int leaves, Duration took) {
            ghosts.addAndGet(evicted);
            sweeps.incrementAndGet();
        }

        /** Waits for {@code more} sweeps after this moment, so anything a sweep would still send has been sent. */
        void awaitMore(int more) {
            int target = sweeps.get() + more;
            Poll.await(WITHIN, more + " more sweeps", () -> sweeps.get() >= target);
        }
    }

    private static int sweepsNow(Sweeps first, Sweeps second) {
        return first.sweeps.get() + second.sweeps.get();
    }

    // ---- the app's rooms, connections and jobs

    private List<Broadcast> leaves() {
        return broadcasts.stream().filter(b -> b.data().get("event").getAsString().equals("leave")).toList();
    }

    private void join(String connection, String... rooms) {
        List<RawJob> joins = new ArrayList<>();
        for (String room : rooms) joins.add(joinJob(connection, room));
        AppliedBatch applied = jobs.applyBatch(joins, Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        assertThat(applied.outcomes()).allMatch(outcome -> outcome instanceof Outcome.Applied);
    }

    private RawJob joinJob(String connection, String room) {
        String body = """
                {"clientId": "%s", "nspRoomId": "%s",
                 "session": {"appPid": "%s", "connectionId": "%s", "clientId": "%s", "user": {"username": "user %s"}},
                 "message": {"data": {"status": "here"}}}
                """.formatted(client(connection), room(room), app, conn(connection), client(connection), connection);
        return new RawJob("presence:join", services.jobPrefix + jobIds.incrementAndGet(),
                body.getBytes(StandardCharsets.UTF_8), false);
    }

    private void heartbeat(String connection, long millis) {
        services.redis.zadd(heartbeats, millis, conn(connection));
    }

    private String room(String name) {
        return app + ":" + name;
    }

    private String conn(String name) {
        return app + ":" + name;
    }

    private String client(String name) {
        return app + ":client-" + name;
    }
}
