package com.relaybox.presence.adapter.redis;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.core.service.PresenceReads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keys as the RelayBox realtime service reads them: {@code LRANGE presence:<room>:index 0 -1},
 * {@code HMGET presence:<room>:members <ids>}, JSON parse, dedupe by clientId keeping the most
 * recent; {@code LLEN} for the count. And the other way round: keys as RelayBox's old presence
 * service wrote them are read and cleaned up by this store.
 */
class RelayBoxCompatibilityIT {
    private final String app = RedisKeyspace.newApp();
    private final NspRoomId lobby = new NspRoomId(app, "chat:lobby");
    @RegisterExtension
    final RedisKeyspace redis = RedisKeyspace.cleaningUp(app);
    private final RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings());
    private final AtomicInteger jobs = new AtomicInteger();

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theRealtimeServiceReadsTheMembersThisStoreWrites() {
        StoreCommand.Join aliceLaptop = join("laptop", "alice", "{\"status\":\"here\"}");
        StoreCommand.Join bob = join("bob-phone", "bob", "null");
        StoreCommand.Update aliceUpdate = update("laptop", "alice", "{\"status\":\"typing\"}");
        StoreCommand.Join alicePhone = join("alice-phone", "alice", "{\"status\":\"mobile\"}");
        StoreCommand.Join anonymous = new StoreCommand.Join(new JobId(app + "-job-anon"), lobby,
                connection("anon"), member("anon", Optional.empty(), "{}", EventType.JOIN), "2024-10-03T14:49:15.000Z");
        List<StoreResult> results = store.apply(List.of(aliceLaptop, bob, aliceUpdate, alicePhone, anonymous));
        assertThat(results).extracting(StoreResult::effect).containsOnly(StoreResult.Effect.CHANGED);

        // --- exactly what the realtime service does
        String indexKey = "presence:" + app + ":chat:lobby:index";
        String membersKey = "presence:" + app + ":chat:lobby:members";
        List<String> index = redis.jedis.lrange(indexKey, 0, -1);
        List<String> values = redis.jedis.hmget(membersKey, index.toArray(String[]::new));
        List<JsonObject> realtimeView = new ArrayList<>();
        Set<String> clients = new HashSet<>();
        for (String value : values) {
            JsonObject member = JsonParser.parseString(value).getAsJsonObject();
            String clientId = member.get("clientId").isJsonNull() ? null : member.get("clientId").getAsString();
            if (clientId == null || clients.add(clientId)) realtimeView.add(member);
        }
        long count = redis.jedis.llen(indexKey);

        assertThat(index).containsExactly(conn("anon"), conn("alice-phone"), conn("bob-phone"), conn("laptop"));
        assertThat(values).containsExactly(anonymous.memberJson(), alicePhone.memberJson(), bob.memberJson(),
                aliceUpdate.memberJson());
        assertThat(realtimeView).extracting(m -> m.get("connectionId").getAsString())
                .containsExactly(conn("anon"), conn("alice-phone"), conn("bob-phone"));
        JsonObject phone = realtimeView.get(1);
        assertThat(phone.keySet()).containsExactly("id", "clientId", "connectionId", "data", "timestamp", "event", "user");
        assertThat(phone.get("id").getAsString()).isEqualTo(app + ":alice");
        assertThat(phone.get("event").getAsString()).isEqualTo("join");
        assertThat(phone.getAsJsonObject("data").get("status").getAsString()).isEqualTo("mobile");
        assertThat(count).as("RelayBox counts connections, not clients").isEqualTo(4);
        assertThat(redis.jedis.hgetAll("connection:" + conn("laptop") + ":presence-sets"))
                .isEqualTo(Map.of(app + ":chat:lobby", "1"));
        assertThat(redis.jedis.type(indexKey)).isEqualTo("list");
        assertThat(redis.jedis.type(membersKey)).isEqualTo("hash");

        // --- this store's reads agree with the realtime service
        PresenceReads reads = new PresenceReads(store);
        assertThat(reads.members(lobby, OptionalInt.empty())).extracting(PresenceJson::member)
                .containsExactly(anonymous.memberJson(), alicePhone.memberJson(), bob.memberJson());
        assertThat(reads.members(lobby, OptionalInt.of(2))).extracting(m -> m.connectionId().value())
                .containsExactly(conn("anon"), conn("alice-phone"));
        assertThat(reads.count(lobby)).isEqualTo(count);
    }

    @Test
    void keysWrittenTheWayRelayBoxsOldServiceWroteThemAreReadAndCleanedUp() {
        // The original service: four sequential commands per join.
        String laptopJson = member("laptop", Optional.of(app + ":alice"), "{\"status\":\"here\"}", EventType.JOIN);
        String bobJson = member("bob-phone", Optional.of(app + ":bob"), "null", EventType.JOIN);
        for (var entry : List.of(Map.entry("laptop", laptopJson), Map.entry("bob-phone", bobJson))) {
            redis.jedis.hset("presence:" + lobby + ":members", conn(entry.getKey()), entry.getValue());
            redis.jedis.lrem("presence:" + lobby + ":index", 0, conn(entry.getKey()));
            redis.jedis.lpush("presence:" + lobby + ":index", conn(entry.getKey()));
            redis.jedis.hset("connection:" + conn(entry.getKey()) + ":presence-sets", lobby.toString(), "1");
        }

        assertThat(store.memberPage(lobby, 0, 10)).extracting(PresenceJson::member).containsExactly(bobJson, laptopJson);
        assertThat(store.count(lobby)).isEqualTo(2);
        assertThat(store.isMember(lobby, connection("laptop"))).isTrue();
        assertThat(store.rooms(connection("bob-phone"))).containsExactly(lobby);

        StoreResult leave = store.apply(List.of(new StoreCommand.Leave(nextJob(), lobby, connection("laptop"), "2024-10-03T14:50:00.000Z"))).get(0);
        StoreResult disconnect = store.apply(List.of(new StoreCommand.Disconnect(nextJob(), connection("bob-phone"), "2024-10-03T14:50:01.000Z"))).get(0);

        assertThat(leave.rooms()).containsExactly(lobby);
        assertThat(disconnect.rooms()).containsExactly(lobby);
        assertThat(redis.snapshot(app).members()).isEmpty();
        assertThat(Invariants.violations(redis.snapshot(app))).isEmpty();
        assertThat(redis.keys("*" + app + "*")).as("only the store's own bookkeeping is left")
                .allMatch(key -> key.startsWith("presence-job:") || key.startsWith("presence-tombstone:"));
    }

    private StoreCommand.Join join(String connection, String client, String data) {
        String timestamp = String.format("2024-10-03T14:49:%02d.000Z", jobs.get() % 60);
        return new StoreCommand.Join(nextJob(), lobby, connection(connection),
                member(connection, Optional.of(app + ":" + client), data, EventType.JOIN), timestamp);
    }

    private StoreCommand.Update update(String connection, String client, String data) {
        String timestamp = String.format("2024-10-03T14:49:%02d.000Z", jobs.get() % 60);
        return new StoreCommand.Update(nextJob(), lobby, connection(connection),
                member(connection, Optional.of(app + ":" + client), data, EventType.UPDATE), timestamp);
    }

    private String member(String connection, Optional<String> clientId, String data, EventType event) {
        return PresenceJson.member(new Member(clientId, connection(connection), data, "2024-10-03T14:49:14.329Z", event,
                "{\"id\":\"a2c10890\",\"username\":\"chippedvolcano425\",\"isOnline\":true}"));
    }

    private JobId nextJob() {
        return new JobId(app + "-job-" + jobs.incrementAndGet());
    }

    private ConnectionId connection(String name) {
        return new ConnectionId(conn(name));
    }

    private String conn(String name) {
        return app + ":" + name;
    }
}
