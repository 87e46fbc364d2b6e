package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.Shard;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routing only: publishing itself is tested against the broker. */
class PresenceJobPublisherTest {

    @Test
    void aRoomJobGoesToTheShardOfItsRoomIdWithoutTheAppPart() {
        String body = JobBodies.room("Fef8GnS7C5zN", "chat:lobby", "c1", "join", "null");
        for (int n : new int[]{1, 5, 7, 16})
            assertThat(PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.JOIN, body), n))
                    .isEqualTo(Shard.of("chat:lobby", n));
        assertThat(PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.JOIN, body), 5)).isEqualTo(3);
    }

    @Test
    void aDisconnectGoesToTheShardOfItsConnectionId() {
        String body = JobBodies.disconnect("app1", "U7JWOF-5XgfF");
        assertThat(PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.DISCONNECT, body), 7))
                .isEqualTo(Shard.of("app1:U7JWOF-5XgfF", 7));
    }

    @Test
    void onlyWhatRoutingNeedsIsChecked() {
        // An empty room id routes (to the shard of ""); the service, not the publisher, rejects it.
        assertThat(PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.LEAVE,
                "{\"nspRoomId\":\"app1:\"}"), 5)).isEqualTo(0);
        assertThatThrownBy(() -> PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.JOIN, "{\"clientId\":\"x\"}"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs nspRoomId");
        assertThatThrownBy(() -> PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.JOIN, "{\"nspRoomId\":\"nocolon\"}"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<appPid>:<roomId>");
        assertThatThrownBy(() -> PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.DISCONNECT, "{\"session\":{}}"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session.connectionId");
        assertThatThrownBy(() -> PresenceJobPublisher.shardOf(PresenceJobPublisher.Job.of(JobType.JOIN, "not json {"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> PresenceJobPublisher.Job.of(JobType.JOIN, "{}", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
