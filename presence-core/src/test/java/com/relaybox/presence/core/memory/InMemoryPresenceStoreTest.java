package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.contract.PresenceStoreContract;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryPresenceStoreTest extends PresenceStoreContract {
    private InMemoryPresenceStore memory;

    @Override
    protected PresenceStore newStore(Duration tombstone, JobMemory jobMemory) {
        memory = new InMemoryPresenceStore(TimeSource.system(), tombstone, jobMemory);
        return memory;
    }

    @Override
    protected PresenceSnapshot snapshot() {
        return new PresenceSnapshot(memory.indexes(), memory.memberHashes(), memory.presenceSets());
    }

    @Override
    protected void heartbeat(String connection, long millis) {
        memory.heartbeat(new ConnectionId(conn(connection)), Instant.ofEpochMilli(millis));
    }

    @Override
    protected void removeHeartbeat(String connection) {
        memory.removeHeartbeat(new ConnectionId(conn(connection)));
    }

    @Test
    void aJobIdIsRememberedForTheJobMemoryPeriodOnly() {
        Instant[] now = {Instant.parse("2024-10-03T00:00:00Z")};
        InMemoryPresenceStore store = new InMemoryPresenceStore(() -> now[0], Duration.ofSeconds(600), JobMemory.DEFAULT);
        NspRoomId room = new NspRoomId("app", "chat");
        StoreCommand leave = new StoreCommand.Leave(new JobId("job-1"), room, new ConnectionId("app:c1"), "2024-10-03T00:00:00.000Z");

        store.apply(List.of(leave));
        now[0] = now[0].plus(Duration.ofHours(24)).minusMillis(1);
        assertThat(store.apply(List.of(leave)).get(0).repeat()).isTrue();
        now[0] = now[0].plusMillis(1);
        StoreResult afterExpiry = store.apply(List.of(leave)).get(0);

        assertThat(afterExpiry.repeat()).as("forgotten after 24 h").isFalse();
    }

    @Test
    void anAcknowledgedJobIdIsRememberedForTheDuplicateWindowFromItsAcknowledgement() {
        Instant[] now = {Instant.parse("2024-10-03T00:00:00Z")};
        InMemoryPresenceStore store = new InMemoryPresenceStore(() -> now[0], Duration.ofSeconds(600),
                new JobMemory(Duration.ofHours(24), Duration.ofMinutes(5)));
        NspRoomId room = new NspRoomId("app", "chat");
        StoreCommand first = new StoreCommand.Leave(new JobId("job-1"), room, new ConnectionId("app:c1"), "2024-10-03T00:00:00.000Z");
        StoreCommand second = new StoreCommand.Leave(new JobId("job-2"), room, new ConnectionId("app:c1"), "2024-10-03T00:00:00.000Z");
        store.apply(List.of(first, second));

        now[0] = now[0].plus(Duration.ofHours(1));
        store.jobsAcknowledged(List.of(first.jobId()));
        now[0] = now[0].plus(Duration.ofMinutes(5)).minusMillis(1);
        assertThat(store.apply(List.of(first)).get(0).repeat()).as("inside the window").isTrue();
        now[0] = now[0].plusMillis(1);

        assertThat(store.apply(List.of(first)).get(0).repeat()).as("the window is over").isFalse();
        assertThat(store.apply(List.of(second)).get(0).repeat()).as("not acknowledged: 24 h").isTrue();
    }
}
