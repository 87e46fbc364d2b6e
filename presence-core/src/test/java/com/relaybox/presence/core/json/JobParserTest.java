package com.relaybox.presence.core.json;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.PresenceJob;
import com.relaybox.presence.core.domain.RawJob;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

import static com.relaybox.presence.core.json.Jobs.APP;
import static com.relaybox.presence.core.json.Jobs.CLIENT;
import static com.relaybox.presence.core.json.Jobs.CONNECTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobParserTest {
    private final JobParser parser = new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES);

    @Test
    void aRelayBoxJoinParsesWithEverything() {
        PresenceJob job = parser.parse(Jobs.raw("join", "job-1", Jobs.body("join", APP + ":chat:lobby")));

        assertThat(job).isInstanceOf(PresenceJob.Join.class);
        PresenceJob.Join join = (PresenceJob.Join) job;
        assertThat(join.type()).isEqualTo(JobType.JOIN);
        assertThat(join.id().value()).isEqualTo("job-1");
        assertThat(join.room()).isEqualTo(new NspRoomId(APP, "chat:lobby"));
        assertThat(join.actor().appPid()).isEqualTo(APP);
        assertThat(join.actor().connectionId().value()).isEqualTo(CONNECTION);
        assertThat(join.actor().clientId()).contains(CLIENT);
        assertThat(join.actor().userJson()).isEqualTo(
                "{\"id\":\"a2c10890-3bb0\",\"clientId\":\"-DmWHl490veI\",\"username\":\"chippedvolcano425\",\"isOnline\":true}");
        assertThat(join.actor().sessionJson()).startsWith("{\"appPid\":\"" + APP + "\"").contains("\"user\":{");
        assertThat(join.dataJson()).isEqualTo("{\"message\":\"hello\"}");
        assertThat(join.timestamp()).contains("2024-10-03T14:49:14.329Z");
        assertThat(join.latencyLog()).contains("{\"createdAt\":\"2024-10-03T14:49:14.325Z\",\"receivedAt\":\"2024-10-03T14:49:14.326Z\"}");
    }

    @Test
    void optionalPartsMayBeAbsent() {
        RawJob raw = Jobs.raw("update", "job-1", APP + ":chat", body -> {
            body.remove("subscription");
            body.remove("message");
            body.remove("latencyLog");
            body.remove("clientId");
            body.getAsJsonObject("session").remove("user");
        });

        PresenceJob.Update job = (PresenceJob.Update) parser.parse(raw);

        assertThat(job.dataJson()).isEqualTo("null");
        assertThat(job.timestamp()).isEmpty();
        assertThat(job.latencyLog()).isEmpty();
        assertThat(job.actor().userJson()).isEqualTo("null");
        assertThat(job.actor().clientId()).as("session.clientId stands in").contains(CLIENT);
    }

    @Test
    void aDisconnectNeedsOnlyTheSession() {
        JsonObject body = new JsonObject();
        JsonObject session = new JsonObject();
        session.addProperty("appPid", APP);
        session.addProperty("connectionId", CONNECTION);
        body.add("session", session);

        PresenceJob job = parser.parse(Jobs.raw("disconnect", "job-9", body));

        assertThat(job).isInstanceOf(PresenceJob.Disconnect.class);
        assertThat(job.actor().connectionId().value()).isEqualTo(CONNECTION);
        assertThat(job.actor().clientId()).isEmpty();
        assertThat(job.timestamp()).isEmpty();
        assertThat(((PresenceJob.Disconnect) parser.parse(Jobs.raw("disconnect", "job-9", Jobs.disconnectBody()))).timestamp())
                .contains("2024-10-03T14:50:00.000Z");
    }

    @Test
    void eachTypeParsesIntoItsOwnKind() {
        assertThat(parser.parse(Jobs.raw("join", "j", Jobs.body("join", APP + ":chat"))))
                .isInstanceOf(PresenceJob.Join.class).extracting(PresenceJob::type).isEqualTo(JobType.JOIN);
        assertThat(parser.parse(Jobs.raw("update", "j", Jobs.body("update", APP + ":chat"))))
                .isInstanceOf(PresenceJob.Update.class).extracting(PresenceJob::type).isEqualTo(JobType.UPDATE);
        assertThat(parser.parse(Jobs.raw("leave", "j", Jobs.body("leave", APP + ":chat"))))
                .isInstanceOf(PresenceJob.Leave.class).extracting(PresenceJob::type).isEqualTo(JobType.LEAVE);
        assertThat(parser.parse(Jobs.raw("disconnect", "j", Jobs.disconnectBody())))
                .isInstanceOf(PresenceJob.Disconnect.class).extracting(PresenceJob::type).isEqualTo(JobType.DISCONNECT);
    }

    // ---- CONTRACT §6, one test per reason

    @Test
    void notJson() {
        assertRejected(new RawJob("presence:join", "j", "{\"nspRoomId\": ".getBytes(StandardCharsets.UTF_8), false),
                "body is not JSON: ");
        assertRejected(new RawJob("presence:join", "j", "{nspRoomId: 'lenient'}".getBytes(StandardCharsets.UTF_8), false),
                "body is not JSON: ");
        assertRejected(new RawJob("presence:join", "j", "{} {}".getBytes(StandardCharsets.UTF_8), false),
                "body is not JSON: ");
        assertRejected(new RawJob("presence:join", "j", "[1,2]".getBytes(StandardCharsets.UTF_8), false),
                "body is not a JSON object");
        assertRejected(new RawJob("presence:join", "j", new byte[0], false), "body is not JSON: ");
    }

    @Test
    void aBadJsonReasonNamesThePositionAndNoHelpLink() {
        assertThatThrownBy(() -> parser.parse(new RawJob("presence:join", "j",
                "{nspRoomId: 'lenient'}".getBytes(StandardCharsets.UTF_8), false)))
                .hasMessage("body is not JSON: malformed JSON at line 1 column 3 path $.");
        assertThatThrownBy(() -> parser.parse(new RawJob("presence:join", "j",
                "{\"a\": 1,}".getBytes(StandardCharsets.UTF_8), false)))
                .hasMessageStartingWith("body is not JSON: ").hasMessageContaining("line 1 column ")
                .hasMessageNotContaining("http").hasMessageNotContaining("setStrictness");
    }

    @Test
    void notUtf8() {
        byte[] latin1 = Jobs.body("join", APP + ":café").toString().getBytes(StandardCharsets.ISO_8859_1);

        assertRejected(new RawJob("presence:join", "j", latin1, false), "body is not valid UTF-8");
    }

    @Test
    void aReplacementCharacterThatIsInTheBodyIsNotTakenForBytesThatAreNotUtf8() {
        JsonObject body = Jobs.body("join", APP + ":chat");
        body.getAsJsonObject("message").addProperty("data", "\uFFFD");

        PresenceJob job = parser.parse(new RawJob("presence:join", "j", body.toString().getBytes(StandardCharsets.UTF_8), false));

        assertThat(((PresenceJob.Join) job).dataJson()).isEqualTo("\"\uFFFD\"");
    }

    @Test
    void unknownOrMissingType() {
        assertRejected(new RawJob("presence:wave", "j", Jobs.body("join", APP + ":chat").toString().getBytes(StandardCharsets.UTF_8), false),
                "unknown job type 'presence:wave'");
        assertRejected(new RawJob(null, "j", new byte[0], false), "missing job type (AMQP property 'type')");
    }

    @Test
    void missingJobId() {
        assertRejected(new RawJob("presence:join", null, Jobs.body("join", APP + ":chat").toString().getBytes(StandardCharsets.UTF_8), false),
                "missing job id (AMQP property 'message_id')");
    }

    @Test
    void missingNspRoomId() {
        assertRejected(edit("join", body -> body.remove("nspRoomId")), "missing nspRoomId");
        assertRejected(edit("join", body -> body.addProperty("nspRoomId", 42)), "nspRoomId must be a string");
    }

    @Test
    void missingSessionOrConnectionId() {
        assertRejected(edit("join", body -> body.remove("session")), "missing session");
        assertRejected(edit("join", body -> body.getAsJsonObject("session").remove("connectionId")), "missing session.connectionId");
        assertRejected(edit("join", body -> body.getAsJsonObject("session").addProperty("connectionId", "")), "missing session.connectionId");
        assertRejected(edit("join", body -> body.getAsJsonObject("session").remove("appPid")), "missing session.appPid");
        assertRejected(edit("join", body -> body.getAsJsonObject("session").addProperty("appPid", "")), "missing session.appPid");
        JsonObject disconnect = Jobs.disconnectBody();
        disconnect.getAsJsonObject("session").remove("connectionId");
        assertRejected(Jobs.raw("disconnect", "j", disconnect), "missing session.connectionId");
    }

    @Test
    void emptyRoomId() {
        assertRejected(edit("join", body -> {
            body.addProperty("nspRoomId", APP + ":");
            body.remove("subscription");
        }), "nspRoomId '" + APP + ":' has an empty roomId");
        assertRejected(edit("join", body -> body.addProperty("nspRoomId", "chat")), "nspRoomId must be <appPid>:<roomId>, got 'chat'");
    }

    @Test
    void roomOfAnotherApp() {
        assertRejected(edit("join", body -> {
            body.addProperty("nspRoomId", "otherApp:chat");
            body.remove("subscription");
        }), "nspRoomId 'otherApp:chat' belongs to app 'otherApp', not to session.appPid '" + APP + "'");
    }

    @Test
    void anAppPidWithAColon() {
        JsonObject disconnect = Jobs.disconnectBody();
        disconnect.getAsJsonObject("session").addProperty("appPid", "a:b");
        assertRejected(Jobs.raw("disconnect", "j", disconnect), "session.appPid 'a:b' must not contain ':'");
        disconnect.getAsJsonObject("session").remove("connectionId");
        assertRejected(Jobs.raw("disconnect", "j", disconnect), "session.appPid 'a:b' must not contain ':'");
    }

    @Test
    void theFirstFaultIsTheOneNamed() {
        assertRejected(edit("join", body -> {
            body.addProperty("nspRoomId", "otherApp:chat");
            body.getAsJsonObject("message").addProperty("timestamp", "soon");
        }), "nspRoomId 'otherApp:chat' belongs to app 'otherApp'");
        assertRejected(edit("join", body -> {
            body.remove("clientId");
            body.getAsJsonObject("session").remove("clientId");
            body.getAsJsonObject("message").addProperty("timestamp", "soon");
        }), "message.timestamp 'soon' is not an ISO-8601 instant");
        assertRejected(edit("join", body -> {
            body.remove("clientId");
            body.getAsJsonObject("session").remove("clientId");
        }), "missing clientId (neither clientId nor session.clientId)");
    }

    @Test
    void subscriptionOtherThanTheDerivedOne() {
        assertRejected(edit("join", body -> body.addProperty("subscription", APP + ":chat:$:presence:leave")),
                "subscription \"" + APP + ":chat:$:presence:leave\" does not match '" + APP + ":chat:$:presence:join'");
        assertRejected(edit("join", body -> body.add("subscription", new JsonPrimitive(7))),
                "subscription 7 does not match '" + APP + ":chat:$:presence:join'");
    }

    @Test
    void dataOverTheLimit() {
        JobParser small = new JobParser(32);
        RawJob fits = edit("update", body -> body.getAsJsonObject("message").addProperty("data", "x".repeat(30)));
        RawJob over = edit("update", body -> body.getAsJsonObject("message").addProperty("data", "é".repeat(16)));

        assertThat(small.parse(fits)).isNotNull();
        assertThatThrownBy(() -> small.parse(over)).isInstanceOf(InvalidJobException.class)
                .hasMessage("message.data is 34 bytes, over the limit of 32 (PRESENCE_MAX_DATA_BYTES)");
    }

    @Test
    void aTimestampMayBeMillisecondsSinceTheEpoch() {
        PresenceJob join = parser.parse(edit("join", body -> body.getAsJsonObject("message")
                .addProperty("timestamp", 1727966954329L)));
        assertThat(join.timestamp()).contains("1727966954329");
        JsonObject disconnectBody = Jobs.disconnectBody();
        disconnectBody.addProperty("timestamp", 1727966954329L);
        PresenceJob disconnect = parser.parse(Jobs.raw("disconnect", "j", disconnectBody));
        assertThat(disconnect.timestamp()).contains("1727966954329");
        assertRejected(edit("join", body -> body.getAsJsonObject("message").addProperty("timestamp", 1.5)),
                "message.timestamp must be whole milliseconds since the epoch (at most 16 digits) when a number, got 1.5");
        assertRejected(edit("join", body -> body.getAsJsonObject("message").addProperty("timestamp", true)),
                "message.timestamp must be an ISO-8601 string or milliseconds since the epoch, got true");
    }

    @Test
    void malformedTimestampOrShapes() {
        assertRejected(edit("join", body -> body.getAsJsonObject("message").addProperty("timestamp", "soon")),
                "message.timestamp 'soon' is not an ISO-8601 instant");
        assertRejected(edit("join", body -> body.addProperty("message", "hi")), "message must be a JSON object");
        assertRejected(edit("join", body -> body.addProperty("session", "s")), "session must be a JSON object");
    }

    @Test
    void reasonsAreOneLine() {
        RawJob raw = edit("join", body -> {
            body.addProperty("nspRoomId", "other\nApp:chat");
            body.remove("subscription");
        });

        assertThatThrownBy(() -> parser.parse(raw)).isInstanceOf(InvalidJobException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertRejected(edit("join", body -> body.addProperty("nspRoomId", "no\ncolon")),
                "nspRoomId must be <appPid>:<roomId>, got 'no colon'");
    }

    private static RawJob edit(String event, Consumer<JsonObject> edit) {
        return Jobs.raw(event, "job-1", APP + ":chat", edit);
    }

    private void assertRejected(RawJob raw, String reasonStart) {
        assertThatThrownBy(() -> parser.parse(raw)).isInstanceOf(InvalidJobException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(reasonStart).doesNotContain("\n"));
        assertThat(Optional.of(raw)).isPresent();
    }
}
