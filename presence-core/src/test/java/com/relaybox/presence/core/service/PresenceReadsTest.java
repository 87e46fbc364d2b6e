package com.relaybox.presence.core.service;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.json.Jobs;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.HistoryQuery;
import com.relaybox.presence.core.port.out.TimeSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static com.relaybox.presence.core.json.Jobs.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PresenceReadsTest {
    private static final NspRoomId CHAT = NspRoomId.parse(APP + ":chat");

    private final InMemoryPresenceStore store = new InMemoryPresenceStore();
    private final InMemoryHistory history = new InMemoryHistory();
    private final PresenceJobs jobs = new PresenceJobs(new JobParser(1000), store, new InMemoryBroadcaster(), history, TimeSource.system());
    private final PresenceReads reads = new PresenceReads(store);
    private final RoomHistory roomHistory = new RoomHistory(history);

    /** Connection {@code c} of client {@code k} joins {@code room}. */
    private void join(String room, String client, String connection) {
        jobs.process(Jobs.raw("join", room + "/" + connection + "/" + System.nanoTime(), APP + ":" + room, body -> {
            body.addProperty("clientId", APP + ":" + client);
            body.getAsJsonObject("session").addProperty("connectionId", APP + ":" + connection);
        }));
    }

    @Test
    void membersAreMostRecentFirstOnePerClientKeepingTheMostRecent() {
        join("chat", "alice", "a1");
        join("chat", "bob", "b1");
        join("chat", "alice", "a2");
        join("chat", "carol", "c1");

        List<Member> members = reads.members(CHAT, OptionalInt.empty());

        assertThat(members).extracting(m -> m.connectionId().value())
                .containsExactly(APP + ":c1", APP + ":a2", APP + ":b1");
        assertThat(reads.count(CHAT)).as("RelayBox counts the index, connections not clients").isEqualTo(4);
    }

    @Test
    void theLimitCountsDistinctClientsAcrossPages() {
        for (int i = 0; i < 300; i++) join("chat", "client" + (i % 40), "conn" + i);

        List<Member> five = reads.members(CHAT, OptionalInt.of(5));
        List<Member> all = reads.members(CHAT, OptionalInt.empty());

        assertThat(five).extracting(m -> m.connectionId().value())
                .containsExactly(APP + ":conn299", APP + ":conn298", APP + ":conn297", APP + ":conn296", APP + ":conn295");
        assertThat(all).hasSize(40);
        assertThat(reads.members(CHAT, OptionalInt.of(100))).hasSize(40);
        assertThatThrownBy(() -> reads.members(CHAT, OptionalInt.of(0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void membershipAndRoomsOfAConnection() {
        join("zeta", "alice", "a1");
        join("alpha:1", "alice", "a1");

        assertThat(store.isMember(NspRoomId.parse(APP + ":zeta"), new ConnectionId(APP + ":a1"))).isTrue();
        assertThat(store.isMember(NspRoomId.parse(APP + ":zeta"), new ConnectionId(APP + ":b1"))).isFalse();
        assertThat(reads.rooms(new ConnectionId(APP + ":a1")))
                .containsExactly(NspRoomId.parse(APP + ":alpha:1"), NspRoomId.parse(APP + ":zeta"));
        assertThat(reads.members(NspRoomId.parse(APP + ":empty"), OptionalInt.of(3))).isEmpty();
    }

    @Test
    void historyIsReadNewestFirstWithADefaultAndAMaximumLimit() {
        join("chat", "alice", "a1");
        join("chat", "bob", "b1");
        join("other", "carol", "c1");
        Instant from = Instant.parse("2024-10-03T00:00:00Z");
        Instant to = Instant.parse("2024-10-04T00:00:00Z");

        assertThat(roomHistory.history(CHAT, HistoryQuery.parse(Optional.empty(), Optional.empty(), Optional.empty())))
                .extracting(record -> record.connectionId().value()).containsExactly(APP + ":b1", APP + ":a1");
        assertThat(roomHistory.history(CHAT, new HistoryQuery(from, to, 1))).extracting(HistoryRecord::room)
                .containsExactly(CHAT);
        assertThatThrownBy(() -> roomHistory.history(CHAT, new HistoryQuery(from, to, 1001)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be a whole number between 1 and 1000, got '1001'");
        assertThatThrownBy(() -> roomHistory.history(CHAT, new HistoryQuery(to, from, HistoryQuery.DEFAULT_LIMIT)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
