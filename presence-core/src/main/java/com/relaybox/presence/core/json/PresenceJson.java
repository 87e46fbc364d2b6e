package com.relaybox.presence.core.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.Timestamps;
import com.relaybox.presence.core.domain.PresenceEvent;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place that writes members and broadcasts, so the member JSON in Redis and the
 * {@code data} of a broadcast are the same bytes.
 */
public final class PresenceJson {
    private PresenceJson() {
    }

    /** The member body of CONTRACT §4: id, clientId, connectionId, data, timestamp, event, user. */
    public static String member(Member member) {
        JsonText json = new JsonText(128 + member.dataJson().length() + member.userJson().length());
        writeMember(json, member);
        return json.toString();
    }

    /** The broadcast body of CONTRACT §4, with a request id of its own. */
    public static String broadcast(PresenceEvent event) {
        return broadcast(event, newRequestId());
    }

    /**
     * A random (version 4) UUID from a thread-local generator: a request id needs to be unique, not
     * unguessable, and {@link UUID#randomUUID}'s SecureRandom was a tenth of a broadcast's cost.
     */
    static UUID newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;                         // version 4
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;   // IETF variant
        return new UUID(high, low);
    }

    /** The broadcast body of CONTRACT §4, with the given request id. */
    public static String broadcast(PresenceEvent event, UUID requestId) {
        Member member = event.member();
        JsonText json = new JsonText(256 + member.dataJson().length() + 2 * member.userJson().length()
                + event.sessionJson().length());
        json.beginObject();
        json.name("nspRoomId").value(event.room().toString());
        json.name("event").value(event.eventName());
        json.name("data");
        writeMember(json, member);
        json.name("session").json(event.sessionJson());
        json.name("requestId").value(requestId.toString());
        if (event.latencyLog().isPresent()) json.name("latencyLog").json(event.latencyLog().get());
        json.endObject();
        return json.toString();
    }

    /** Reads back a member written by {@link #member}; anything else is corrupt state. */
    public static Member parseMember(String json) {
        try {
            JsonObject object = JsonParser.parseString(json).getAsJsonObject();
            JsonElement clientId = object.get("clientId");
            return new Member(
                    clientId == null || clientId.isJsonNull() ? Optional.empty() : Optional.of(clientId.getAsString()),
                    new ConnectionId(object.get("connectionId").getAsString()),
                    compact(object.get("data")),
                    object.get("timestamp").getAsString(),
                    EventType.fromWire(object.get("event").getAsString()),
                    compact(object.get("user")));
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException | NullPointerException
                 | UnsupportedOperationException e) {
            throw new CorruptStateException("not a presence member: " + abbreviate(json), e);
        }
    }

    /**
     * A ghost as the store keeps it while its eviction is unconfirmed: its session (below) and its
     * stale heartbeat. The same ghost always gives the same text, so the text names the eviction.
     */
    public static String ghost(Ghost ghost) {
        return ghostJson(ghost, true);
    }

    /** Reads back a ghost written by {@link #ghost}; anything else is corrupt state. */
    public static Ghost parseGhost(String json) {
        try {
            JsonObject object = JsonParser.parseString(json).getAsJsonObject();
            JsonElement clientId = object.get("clientId");
            return new Ghost(new ConnectionId(object.get("connectionId").getAsString()),
                    object.get("heartbeat").getAsLong(), object.get("appPid").getAsString(),
                    clientId == null || clientId.isJsonNull() ? Optional.empty() : Optional.of(clientId.getAsString()),
                    compact(object.get("user")));
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException | NullPointerException
                 | UnsupportedOperationException e) {
            throw new CorruptStateException("not an unconfirmed eviction: " + abbreviate(json), e);
        }
    }

    /** The {@code session} of a ghost's leave broadcasts: what is known of the connection's session. */
    public static String ghostSession(Ghost ghost) {
        return ghostJson(ghost, false);
    }

    private static String ghostJson(Ghost ghost, boolean withHeartbeat) {
        JsonText json = new JsonText(128 + ghost.userJson().length());
        json.beginObject();
        json.name("appPid").value(ghost.appPid());
        json.name("clientId").value(ghost.clientId().orElse(null));
        json.name("connectionId").value(ghost.connection().value());
        json.name("user").json(ghost.userJson());
        if (withHeartbeat) json.name("heartbeat").value(ghost.heartbeatMillis());
        json.endObject();
        return json.toString();
    }

    /** The compact JSON text of an element; a missing element is JSON {@code null}. */
    public static String compact(JsonElement element) {
        return element == null ? "null" : new JsonText(64).element(element).toString();
    }

    private static void writeMember(JsonText json, Member member) {
        String clientId = member.clientId().orElse(null);
        json.beginObject();
        json.name("id").value(clientId);
        json.name("clientId").value(clientId);
        json.name("connectionId").value(member.connectionId().value());
        json.name("data").json(member.dataJson());
        json.name("timestamp");
        if (Timestamps.isEpochMillis(member.timestamp())) json.json(member.timestamp());
        else json.value(member.timestamp());
        json.name("event").value(member.event().wireName());
        json.name("user").json(member.userJson());
        json.endObject();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
