package com.relaybox.presence.core.contract;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link PresenceBroadcaster} delivers (CONTRACT §4). An implementation's test says
 * how to build one for the app {@link #app} and how to read what its subscribers received.
 */
public abstract class PresenceBroadcasterContract {
    protected final String app = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    protected abstract PresenceBroadcaster broadcaster();

    /** The bodies delivered to a subscriber of every room of {@link #app}, in arrival order, once {@code count} have arrived. */
    protected abstract List<String> awaitDelivered(int count);

    @Test
    void eachEventIsDeliveredWithTheBodyOfTheContract() {
        PresenceEvent event = Fixtures.event(new NspRoomId(app, "chat"), "c1", EventType.JOIN,
                "{\"message\":\"hello\"}", "2024-10-03T14:49:14.329Z");

        Confirmations.await(broadcaster().broadcast(List.of(event), Fence.UNFENCED));

        List<String> delivered = awaitDelivered(1);
        assertThat(delivered).hasSize(1);
        JsonObject body = JsonParser.parseString(delivered.get(0)).getAsJsonObject();
        assertThat(body.get("nspRoomId").getAsString()).isEqualTo(app + ":chat");
        assertThat(body.get("event").getAsString()).isEqualTo(app + ":chat:$:presence:join");
        assertThat(body.get("data").toString()).isEqualTo(PresenceJson.member(event.member()));
        assertThat(body.get("session").toString()).isEqualTo(event.sessionJson());
        assertThat(body.get("latencyLog").toString()).isEqualTo(event.latencyLog().orElseThrow());
        assertThat(UUID.fromString(body.get("requestId").getAsString())).isNotNull();
    }

    @Test
    void eventsOfARoomArriveInOrderEachWithItsOwnRequestId() {
        NspRoomId room = new NspRoomId(app, "chat:lobby");
        List<PresenceEvent> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            EventType type = i % 3 == 0 ? EventType.JOIN : i % 3 == 1 ? EventType.UPDATE : EventType.LEAVE;
            events.add(Fixtures.event(room, "c" + (i % 7), type, "{\"seq\":" + i + "}", "2024-10-03T14:49:14.329Z"));
        }

        Confirmations.await(broadcaster().broadcast(events.subList(0, 100), Fence.UNFENCED));
        Confirmations.await(broadcaster().broadcast(events.subList(100, 200), Fence.UNFENCED));

        List<String> delivered = awaitDelivered(200);
        assertThat(delivered).hasSize(200);
        Set<String> requestIds = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            JsonObject body = JsonParser.parseString(delivered.get(i)).getAsJsonObject();
            assertThat(body.getAsJsonObject("data").getAsJsonObject("data").get("seq").getAsInt()).isEqualTo(i);
            assertThat(body.get("event").getAsString()).isEqualTo(events.get(i).eventName());
            requestIds.add(body.get("requestId").getAsString());
        }
        assertThat(requestIds).hasSize(200);
    }

    @Test
    void listsSentFromOneThreadWithoutWaitingArriveInTheOrderOfTheCalls() {
        NspRoomId room = new NspRoomId(app, "pipelined");
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        for (int list = 0; list < 10; list++) {
            List<PresenceEvent> events = new ArrayList<>();
            for (int i = 0; i < 20; i++)
                events.add(Fixtures.event(room, "c1", i % 2 == 0 ? EventType.JOIN : EventType.LEAVE,
                        "{\"seq\":" + (list * 20 + i) + "}", "2024-10-03T14:49:14.329Z"));
            confirmations.add(broadcaster().broadcast(events, Fence.UNFENCED));
        }
        CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)).join();

        List<String> delivered = awaitDelivered(200);
        assertThat(delivered).hasSize(200);
        for (int i = 0; i < 200; i++)
            assertThat(JsonParser.parseString(delivered.get(i)).getAsJsonObject().getAsJsonObject("data")
                    .getAsJsonObject("data").get("seq").getAsInt()).isEqualTo(i);
    }

    @Test
    void anEmptyListSendsNothing() {
        Confirmations.await(broadcaster().broadcast(List.of(), Fence.UNFENCED));
        Confirmations.await(broadcaster().broadcast(List.of(Fixtures.event(new NspRoomId(app, "x"), "c1", EventType.LEAVE,
                "null", "2024-10-03T14:49:14.329Z")), Fence.UNFENCED));

        assertThat(awaitDelivered(1)).hasSize(1);
    }

    @Test
    void nothingIsSentOnceTheFenceNoLongerHolds() {
        NspRoomId room = new NspRoomId(app, "fenced");
        PresenceEvent lost = Fixtures.event(room, "c1", EventType.JOIN, "{\"seq\":0}", "2024-10-03T14:49:14.329Z");
        PresenceEvent held = Fixtures.event(room, "c1", EventType.LEAVE, "{\"seq\":1}", "2024-10-03T14:49:14.329Z");

        CompletableFuture<Void> refused = broadcaster().broadcast(List.of(lost), () -> false);
        Confirmations.await(broadcaster().broadcast(List.of(held), () -> true));

        assertThatThrownBy(() -> Confirmations.await(refused)).isInstanceOf(DependencyUnavailableException.class);
        List<String> delivered = awaitDelivered(1);
        assertThat(delivered).hasSize(1);
        assertThat(JsonParser.parseString(delivered.get(0)).getAsJsonObject().get("event").getAsString())
                .isEqualTo(held.eventName());
    }
}
