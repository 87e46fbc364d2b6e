package com.relaybox.presence.core.domain;

import org.junit.jupiter.api.Test;

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
        assertThatThrownBy(() -> NspRoomId.parse("nocolon")).isInstanceOf(InvalidJobException.class)
                .hasMessage("nspRoomId must be <appPid>:<roomId>, got 'nocolon'");
        assertThatThrownBy(() -> NspRoomId.parse(":room")).isInstanceOf(InvalidJobException.class);
        assertThatThrownBy(() -> NspRoomId.parse("app:")).isInstanceOf(InvalidJobException.class)
                .hasMessage("nspRoomId 'app:' has an empty roomId");
        assertThatThrownBy(() -> NspRoomId.parse(null)).isInstanceOf(InvalidJobException.class);
        assertThatThrownBy(() -> new NspRoomId("a:b", "room")).isInstanceOf(InvalidJobException.class);
    }

    @Test
    void timestampsAreIsoUtcWithMilliseconds() {
        assertThat(Timestamps.format(java.time.Instant.parse("2024-10-03T14:49:14Z"))).isEqualTo("2024-10-03T14:49:14.000Z");
        assertThat(Timestamps.parse("2024-10-03T16:49:14.329+02:00")).isEqualTo(java.time.Instant.parse("2024-10-03T14:49:14.329Z"));
        assertThatThrownBy(() -> Timestamps.parse("yesterday")).isInstanceOf(InvalidJobException.class);
    }
}
