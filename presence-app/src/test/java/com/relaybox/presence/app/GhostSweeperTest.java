package com.relaybox.presence.app;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.GhostSweeper;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sweeper's own rules, over the in-memory ports (the real ones are {@link GhostSweeperIT}'s). */
class GhostSweeperTest {
    private final InMemoryPresenceStore store = new InMemoryPresenceStore();
    private final InMemoryBroadcaster broadcaster = new InMemoryBroadcaster();
    private final PresenceJobs jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), store, broadcaster,
            new InMemoryHistory(), TimeSource.system());

    @Test
    void aSweepWhoseReadFailedDoesNotHoldTheNextOneBack() throws Exception {
        ConnectionId ghost = new ConnectionId("app1:conn-1");
        jobs.process(new RawJob("presence:join", "job-1", """
                {"clientId": "app1:alice", "nspRoomId": "app1:lobby", "session": {"appPid": "app1", "connectionId": "app1:conn-1"}}
                """.getBytes(StandardCharsets.UTF_8), false));
        store.heartbeat(ghost, Instant.now().minusSeconds(60));
        AtomicInteger failures = new AtomicInteger();
        Liveness failingOnce = new Liveness() {
            private final AtomicInteger reads = new AtomicInteger();

            @Override
            public boolean lead(String candidate, Duration term) {
                return store.lead(candidate, term);
            }

            @Override
            public StalePage stale(Instant cutoff, StaleCursor from, int limit) {
                if (reads.getAndIncrement() == 0) throw new DependencyUnavailableException("Redis is restarting");
                return store.stale(cutoff, from, limit);
            }

            @Override
            public List<Ghost> unconfirmed(int limit) {
                return store.unconfirmed(limit);
            }

            @Override
            public void confirmed(List<Ghost> ghosts) {
                store.confirmed(ghosts);
            }
        };
        GhostSweeper.Listener listener = new GhostSweeper.Listener() {
            @Override
            public void sweepFailed(RuntimeException cause) {
                failures.incrementAndGet();
            }
        };

        try (GhostSweeper sweeper = new GhostSweeper(failingOnce, jobs, TimeSource.system(),
                new GhostSweeper.Settings(Duration.ofSeconds(30), Duration.ofMillis(100), 10), listener, "one")) {
            sweeper.start();

            Poll.await(Duration.ofSeconds(10), "the ghost evicted", () -> store.rooms(ghost).isEmpty());
        }
        assertThat(failures.get()).isEqualTo(1);
        assertThat(broadcaster.sent()).extracting(sent -> sent.event().member().event().wireName()).containsExactly("join", "leave");
    }

    @Test
    void theSettingsBoundTheSweepAndTheLease() {
        GhostSweeper.Settings defaults = GhostSweeper.Settings.defaults();

        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(defaults.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.leaseTerm()).as("three intervals").isEqualTo(Duration.ofSeconds(15));
        assertThat(new GhostSweeper.Settings(Duration.ofSeconds(1), Duration.ofMillis(100), 1).leaseTerm())
                .as("never below 2 s").isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> new GhostSweeper.Settings(Duration.ofSeconds(90), Duration.ofSeconds(11), 500))
                .hasMessage("the sweep interval must be between 100 and 10000 ms, got 11000");
        assertThatThrownBy(() -> new GhostSweeper.Settings(Duration.ofMillis(999), Duration.ofSeconds(5), 500))
                .hasMessage("the liveness timeout must be between 1 s and 1 day, got 999 ms");
        assertThatThrownBy(() -> new GhostSweeper.Settings(Duration.ofSeconds(90), Duration.ofSeconds(5), 10_001))
                .hasMessage("the sweep batch size must be between 1 and 10000, got 10001");
    }
}
