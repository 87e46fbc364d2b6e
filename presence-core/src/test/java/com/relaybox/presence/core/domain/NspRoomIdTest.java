package com.relaybox.presence.core.domain;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NspRoomIdTest {

    @Test
    void splitsAtTheFirstColon() {
        NspRoomId room = NspRoomId.parse("app1:chat:lobby");

        assertThat(room.appPid()).isEqualTo("app1");
        assertThat(room.roomId()).isEqualTo("chat:lobby");
        assertThat(room).hasToString("app1:chat:lobby");
    }

    @Test
    void refusesWhatIsNotAppAndRoom() {
        assertThatThrownBy(() -> NspRoomId.parse("nocolon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nspRoomId must be <appPid>:<roomId>, got 'nocolon'");
        assertThatThrownBy(() -> NspRoomId.parse(":room")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NspRoomId.parse("app:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nspRoomId 'app:' has an empty roomId");
        assertThatThrownBy(() -> NspRoomId.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NspRoomId("a:b", "room")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAppPidIsNonEmptyAndHoldsNoColon() {
        assertThat(NspRoomId.requireAppPid("app1", "appPid")).isEqualTo("app1");
        assertThatThrownBy(() -> NspRoomId.requireAppPid("", "session.appPid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("session.appPid must be non-empty");
        assertThatThrownBy(() -> NspRoomId.requireAppPid("a:b", "session.appPid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("session.appPid 'a:b' must not contain ':'");
        assertThatThrownBy(() -> new Actor("a:b", new ConnectionId("c"), Optional.empty(), "{}", "null"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("session.appPid 'a:b' must not contain ':'");
    }

    @Test
    void anActorActsOnlyInTheRoomsOfItsApp() {
        Actor actor = new Actor("app1", new ConnectionId("app1:c"), Optional.of("app1:k"), "{}", "null");

        actor.requireSameApp(NspRoomId.parse("app1:chat"));
        assertThatThrownBy(() -> actor.requireSameApp(NspRoomId.parse("app2:chat"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nspRoomId 'app2:chat' belongs to app 'app2', not to session.appPid 'app1'");
        assertThatThrownBy(() -> new PresenceJob.Join(new JobId("j"), NspRoomId.parse("app2:chat"), actor, "null",
                Optional.empty(), Optional.empty())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("nspRoomId 'app2:chat' belongs to app 'app2'");
    }

    @Test
    void timestampsAreIsoUtcWithMilliseconds() {
        assertThat(Timestamps.format(java.time.Instant.parse("2024-10-03T14:49:14Z"))).isEqualTo("2024-10-03T14:49:14.000Z");
        assertThat(Timestamps.parse("2024-10-03T16:49:14.329+02:00")).isEqualTo(java.time.Instant.parse("2024-10-03T14:49:14.329Z"));
        assertThatThrownBy(() -> Timestamps.parse("yesterday")).isInstanceOf(IllegalArgumentException.class);
    }
}
