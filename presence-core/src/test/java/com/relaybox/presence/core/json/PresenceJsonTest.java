package com.relaybox.presence.core.json;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.PresenceEvent;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PresenceJsonTest {
    private static final Member MEMBER = new Member(Optional.of("app:client"), new ConnectionId("app:conn"),
            "{\"message\":\"héllo <b>&\"}", "2024-10-03T14:49:14.329Z", EventType.JOIN, "{\"username\":\"u\"}");

    @Test
    void aMemberIsWrittenInRelayBoxsFieldOrder() {
        assertThat(PresenceJson.member(MEMBER)).isEqualTo(
                "{\"id\":\"app:client\",\"clientId\":\"app:client\",\"connectionId\":\"app:conn\","
                        + "\"data\":{\"message\":\"héllo <b>&\"},\"timestamp\":\"2024-10-03T14:49:14.329Z\","
                        + "\"event\":\"join\",\"user\":{\"username\":\"u\"}}");
    }

    @Test
    void aBroadcastCarriesTheMemberJsonByteForByte() {
        UUID requestId = UUID.randomUUID();
        PresenceEvent event = new PresenceEvent(NspRoomId.parse("app:chat:lobby"), MEMBER, "{\"appPid\":\"app\"}",
                Optional.of("{\"createdAt\":\"x\"}"));

        String body = PresenceJson.broadcast(event, requestId);

        assertThat(body).isEqualTo("{\"nspRoomId\":\"app:chat:lobby\",\"event\":\"app:chat:lobby:$:presence:join\",\"data\":"
                + PresenceJson.member(MEMBER) + ",\"session\":{\"appPid\":\"app\"},\"requestId\":\"" + requestId
                + "\",\"latencyLog\":{\"createdAt\":\"x\"}}");
    }

    @Test
    void aBroadcastWithoutLatencyLogOmitsIt() {
        PresenceEvent event = new PresenceEvent(NspRoomId.parse("app:chat"), MEMBER, "{}", Optional.empty());

        JsonObject body = JsonParser.parseString(PresenceJson.broadcast(event, UUID.randomUUID())).getAsJsonObject();

        assertThat(body.has("latencyLog")).isFalse();
    }

    @Test
    void absentClientIdDataAndUserAreJsonNull() {
        Member bare = new Member(Optional.empty(), new ConnectionId("app:conn"), "null", "2024-10-03T14:49:14.329Z",
                EventType.LEAVE, "null");

        String json = PresenceJson.member(bare);

        assertThat(json).isEqualTo("{\"id\":null,\"clientId\":null,\"connectionId\":\"app:conn\",\"data\":null,"
                + "\"timestamp\":\"2024-10-03T14:49:14.329Z\",\"event\":\"leave\",\"user\":null}");
        assertThat(PresenceJson.parseMember(json)).isEqualTo(bare);
    }

    @Test
    void aMemberReadsBackAsWritten() {
        assertThat(PresenceJson.parseMember(PresenceJson.member(MEMBER))).isEqualTo(MEMBER);
    }

    @Test
    void whatIsNotAMemberIsCorruptState() {
        assertThatThrownBy(() -> PresenceJson.parseMember("not json")).isInstanceOf(CorruptStateException.class)
                .hasMessageStartingWith("not a presence member: not json");
        assertThatThrownBy(() -> PresenceJson.parseMember("{\"clientId\":\"x\"}")).isInstanceOf(CorruptStateException.class);
        assertThatThrownBy(() -> PresenceJson.parseMember("[1]")).isInstanceOf(CorruptStateException.class);
    }
}
