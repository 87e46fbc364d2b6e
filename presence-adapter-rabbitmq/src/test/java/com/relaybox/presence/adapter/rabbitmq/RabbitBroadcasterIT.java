package com.relaybox.presence.adapter.rabbitmq;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.contract.PresenceBroadcasterContract;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The broadcaster contract of core, and RelayBox's routing-key vectors, on the real broker. */
class RabbitBroadcasterIT extends PresenceBroadcasterContract {
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("broadcaster");

    private RabbitBroadcaster broadcaster;
    private BroadcastCapture capture;

    @Override
    protected PresenceBroadcaster broadcaster() {
        if (broadcaster == null) {
            capture = BroadcastCapture.ofApp(broker, app, TestSettings.of(broker).queueCount());
            broadcaster = new RabbitBroadcaster(TestSettings.of(broker));
        }
        return broadcaster;
    }

    @Override
    protected List<String> awaitDelivered(int count) {
        return capture.await(count, Duration.ofSeconds(10)).stream().map(BroadcastCapture.Received::body).toList();
    }

    @AfterEach
    void close() {
        if (broadcaster != null) broadcaster.close();
        if (capture != null) capture.close();
    }

    @Test
    void everyRoutingKeyVectorIsTheRoutingKeyOfARealBroadcast() throws IOException {
        JsonArray vectors;
        try (InputStream in = getClass().getResourceAsStream("/vectors/routing-keys.json")) {
            vectors = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonArray();
        }
        Map<Integer, List<JsonObject>> byQueueCount = new TreeMap<>();
        for (JsonElement vector : vectors)
            byQueueCount.computeIfAbsent(vector.getAsJsonObject().get("queueCount").getAsInt(), n -> new ArrayList<>())
                    .add(vector.getAsJsonObject());
        assertThat(vectors.size()).isGreaterThan(30);

        for (Map.Entry<Integer, List<JsonObject>> group : byQueueCount.entrySet()) {
            try (BroadcastCapture all = BroadcastCapture.ofAll(broker);
                 RabbitBroadcaster withN = new RabbitBroadcaster(TestSettings.of(broker).withQueueCount(group.getKey()))) {
                for (JsonObject vector : group.getValue()) {
                    NspRoomId room = NspRoomId.parse(vector.get("nspRoomId").getAsString());
                    Confirmations.await(withN.broadcast(List.of(Fixtures.event(room, "c1", EventType.JOIN, "null", "2024-10-03T14:49:14.329Z")), Fence.UNFENCED));
                }
                List<BroadcastCapture.Received> received = all.await(group.getValue().size(), Duration.ofSeconds(10));
                assertThat(received).hasSize(group.getValue().size());
                for (int i = 0; i < received.size(); i++) {
                    JsonObject vector = group.getValue().get(i);
                    JsonObject body = JsonParser.parseString(received.get(i).body()).getAsJsonObject();
                    assertThat(body.get("nspRoomId").getAsString()).isEqualTo(vector.get("nspRoomId").getAsString());
                    assertThat(received.get(i).routingKey())
                            .as("routing key of %s with N=%d", vector.get("nspRoomId"), group.getKey())
                            .isEqualTo(vector.get("routingKey").getAsString());
                }
            }
        }
    }

    @Test
    void broadcastsAreTransientJsonAndNotMandatory() {
        broadcaster();
        // No queue is bound for this app: the broadcast is dropped by the broker, and that is no error.
        Confirmations.await(broadcaster.broadcast(List.of(Fixtures.event(new NspRoomId("nobody" + app, "room"), "c1", EventType.JOIN, "null",
                "2024-10-03T14:49:14.329Z")), Fence.UNFENCED));
        Confirmations.await(broadcaster.broadcast(List.of(Fixtures.event(new NspRoomId(app, "room"), "c1", EventType.JOIN, "null",
                "2024-10-03T14:49:14.329Z")), Fence.UNFENCED));

        BroadcastCapture.Received received = capture.await(1, Duration.ofSeconds(10)).get(0);
        assertThat(received.properties().getContentType()).isEqualTo("application/json");
        assertThat(received.properties().getDeliveryMode()).isEqualTo(1);
    }
}
