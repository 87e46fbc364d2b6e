package com.relaybox.presence.core.domain;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardTest {

    /** Every routing key RelayBox's own JavaScript computed (shared/spec/vectors). */
    @Test
    void everyRelayBoxVectorGivesItsRoutingKey() throws IOException {
        JsonArray vectors = vectors();
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(30);
        for (JsonElement element : vectors) {
            JsonObject vector = element.getAsJsonObject();
            NspRoomId room = NspRoomId.parse(vector.get("nspRoomId").getAsString());
            int queueCount = vector.get("queueCount").getAsInt();
            assertThat(Shard.broadcastRoutingKey(room, queueCount))
                    .as("%s with %d queues", room, queueCount)
                    .isEqualTo(vector.get("routingKey").getAsString());
        }
    }

    @Test
    void theShardIsTheFloorModOfTheJavaStringHash() {
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(Shard.of("polygenelubricants", 5)).isEqualTo(2);
        assertThat(Shard.of("chat:lobby", 5)).isEqualTo(Math.floorMod("chat:lobby".hashCode(), 5));
        assertThat(Shard.of("", 5)).isZero();
        assertThat(Shard.of(new ConnectionId("app:conn"), 7)).isEqualTo(Math.floorMod("app:conn".hashCode(), 7));
    }

    @Test
    void aRoomIsShardedByItsRoomIdAlone() {
        assertThat(Shard.of(NspRoomId.parse("app1:chat"), 16)).isEqualTo(Shard.of(NspRoomId.parse("app2:chat"), 16));
    }

    @Test
    void aQueueCountBelowOneIsRefused() {
        assertThatThrownBy(() -> Shard.of("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static JsonArray vectors() throws IOException {
        try (InputStream in = Objects.requireNonNull(ShardTest.class.getResourceAsStream("/vectors/routing-keys.json"));
             Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(reader).getAsJsonArray();
        }
    }
}
