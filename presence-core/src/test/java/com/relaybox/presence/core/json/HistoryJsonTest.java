package com.relaybox.presence.core.json;

import com.google.gson.JsonParser;
import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryJsonTest {
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");
    private static final NspRoomId ROOM = new NspRoomId("Fef8GnS7C5zN", "chat:lobby");

    @Test
    void recordsRoundTripWithEveryField() {
        HistoryRecord join = Fixtures.record("job-1", 0, ROOM, "c1", EventType.JOIN,
                "{\"message\":\"héllo <b>\\u0000\",\"n\":[1,2.50,1e400,null],\"nested\":{\"b\":1,\"a\":2}}", T0);
        HistoryRecord leave = new HistoryRecord(new JobId("job-2"), 3, ROOM, new ConnectionId("Fef8GnS7C5zN:c2"),
                Optional.empty(), EventType.LEAVE, "null", "null", T0.plusNanos(123_456_789));

        List<HistoryRecord> back = HistoryJson.decode(HistoryJson.encode(List.of(join, leave)));

        assertThat(back).hasSize(2);
        assertThat(back.get(1)).isEqualTo(leave);
        HistoryRecord first = back.get(0);
        assertThat(first).usingRecursiveComparison().ignoringFields("dataJson", "userJson").isEqualTo(join);
        assertThat(JsonParser.parseString(first.dataJson())).isEqualTo(JsonParser.parseString(join.dataJson()));
        assertThat(JsonParser.parseString(first.userJson())).isEqualTo(JsonParser.parseString(join.userJson()));
    }

    @Test
    void anEmptyListRoundTrips() {
        assertThat(HistoryJson.decode(HistoryJson.encode(List.of()))).isEmpty();
    }

    @Test
    void theEncodingIsUtf8Json() {
        HistoryRecord record = Fixtures.record("job-é", 0, ROOM, "c1", EventType.UPDATE, "{\"m\":\"ü\"}", T0);
        String text = new String(HistoryJson.encode(List.of(record)), StandardCharsets.UTF_8);
        assertThat(JsonParser.parseString(text).getAsJsonObject().get("v").getAsInt()).isEqualTo(2);
        assertThat(text).as("data and user travel as the JSON text they are, in strings").contains("\"jobId\":\"job-é\"",
                "\"nspRoomId\":\"Fef8GnS7C5zN:chat:lobby\"", "\"event\":\"update\"",
                "\"timestamp\":\"2024-10-03T14:49:14.329Z\"", "\"data\":\"{\\\"m\\\":\\\"ü\\\"}\"");
    }

    @Test
    void aReadAnswersTheRecordsAsTheMessageCarriesThem() {
        HistoryRecord join = Fixtures.record("job-1", 0, ROOM, "c1", EventType.JOIN, "{\"m\":\"<b>\"}", T0);
        HistoryRecord leave = new HistoryRecord(new JobId("job-2"), 1, ROOM, new ConnectionId("Fef8GnS7C5zN:c2"),
                Optional.empty(), EventType.LEAVE, "null", "null", T0);

        String array = HistoryJson.records(List.of(join, leave));

        assertThat(array).isEqualTo("[" + record("job-1", 0, "\"" + join.connectionId().value() + "\"",
                join.clientId().map(c -> "\"" + c + "\"").orElseThrow(), "join", "{\"m\":\"<b>\"}", join.userJson())
                + "," + record("job-2", 1, "\"Fef8GnS7C5zN:c2\"", "null", "leave", "null", "null") + "]");
        assertThat(HistoryJson.decode(HistoryJson.encode(List.of(join, leave)))).containsExactly(join, leave);
        assertThat(HistoryJson.records(List.of())).isEqualTo("[]");
    }

    private static String record(String jobId, int index, String connection, String client, String event, String data,
                                 String user) {
        return "{\"jobId\":\"" + jobId + "\",\"eventIndex\":" + index + ",\"nspRoomId\":\"Fef8GnS7C5zN:chat:lobby\","
                + "\"connectionId\":" + connection + ",\"clientId\":" + client + ",\"event\":\"" + event + "\","
                + "\"data\":" + data + ",\"user\":" + user + ",\"timestamp\":\"2024-10-03T14:49:14.329Z\"}";
    }

    @Test
    void timesAreWrittenInMillisecondsAndLoseNothing() {
        for (String time : List.of("2024-10-03T14:49:14.000Z", "2024-10-03T14:49:14.329Z", "2024-10-03T14:49:14.329001Z",
                "2024-10-03T14:49:14.000000001Z", "0001-01-01T00:00:00.000Z", "+10000-01-01T00:00:00.000Z",
                "-0005-06-01T00:00:00.000Z")) {
            HistoryRecord record = Fixtures.record("job-1", 0, ROOM, "c1", EventType.JOIN, "null", Instant.parse(time));
            assertThat(HistoryJson.records(List.of(record))).as(time).contains("\"timestamp\":\"" + time + "\"");
            assertThat(HistoryJson.decode(HistoryJson.encode(List.of(record)))).as(time).containsExactly(record);
        }
    }

    @Test
    void aMessageWrittenBeforeTheRoomWasCalledNspRoomIdIsStillRead() {
        String v1 = "{\"v\":1,\"records\":[{\"jobId\":\"j\",\"eventIndex\":2,\"room\":\"a:b:c\",\"connectionId\":\"a:c\","
                + "\"clientId\":null,\"event\":\"leave\",\"timestamp\":\"2024-10-03T14:49:14Z\",\"data\":null,\"user\":null}]}";

        assertThat(HistoryJson.decode(v1.getBytes(StandardCharsets.UTF_8))).containsExactly(new HistoryRecord(new JobId("j"), 2,
                NspRoomId.parse("a:b:c"), new ConnectionId("a:c"), Optional.empty(), EventType.LEAVE, "null", "null",
                Instant.parse("2024-10-03T14:49:14Z")));
    }

    @Test
    void aVersionOneMessageWithItsValuesEmbeddedIsStillRead() {
        String v1 = "{\"v\":1,\"records\":[{\"jobId\":\"j\",\"eventIndex\":0,\"nspRoomId\":\"a:b:c\",\"connectionId\":\"a:c\","
                + "\"clientId\":\"u\",\"event\":\"join\",\"timestamp\":\"2024-10-03T14:49:14.329Z\","
                + "\"data\":\"just text\",\"user\":{ \"id\" : 7 }}]}";

        assertThat(HistoryJson.decode(v1.getBytes(StandardCharsets.UTF_8))).containsExactly(new HistoryRecord(new JobId("j"), 0,
                NspRoomId.parse("a:b:c"), new ConnectionId("a:c"), Optional.of("u"), EventType.JOIN, "\"just text\"",
                "{\"id\":7}", Instant.parse("2024-10-03T14:49:14.329Z")));
    }

    @Test
    void whatIsNotAHistoryMessageIsCorrupt() {
        for (String body : List.of("", "not json", "[]", "{\"records\":[]}", "{\"v\":3,\"records\":[]}", "{\"v\":1}",
                "{\"records\":[],\"v\":2}", "{\"v\":2,\"records\":[{\"jobId\":\"j\",\"eventIndex\":0,\"nspRoomId\":\"a:b\","
                        + "\"connectionId\":\"c\",\"clientId\":null,\"event\":\"join\",\"timestamp\":\"2024-10-03T14:49:14.329Z\","
                        + "\"data\":{},\"user\":\"null\"}]}",
                "{\"v\":1,\"records\":[{}]}", "{\"v\":1,\"records\":[]} trailing",
                "{\"v\":1,\"records\":[{\"jobId\":\"j\",\"eventIndex\":0,\"nspRoomId\":\"noColon\",\"connectionId\":\"c\","
                        + "\"clientId\":null,\"event\":\"join\",\"timestamp\":\"2024-10-03T14:49:14.329Z\",\"data\":null,\"user\":null}]}",
                "{\"v\":1,\"records\":[{\"jobId\":\"j\",\"eventIndex\":0,\"nspRoomId\":\"a:b\",\"connectionId\":\"c\","
                        + "\"clientId\":null,\"event\":\"jump\",\"timestamp\":\"2024-10-03T14:49:14.329Z\",\"data\":null,\"user\":null}]}",
                "{\"v\":1,\"records\":[{\"jobId\":\"j\",\"eventIndex\":0,\"nspRoomId\":\"a:b\",\"connectionId\":\"c\","
                        + "\"clientId\":null,\"event\":\"join\",\"timestamp\":\"yesterday\",\"data\":null,\"user\":null}]}"))
            assertThatThrownBy(() -> HistoryJson.decode(body.getBytes(StandardCharsets.UTF_8)))
                    .as(body).isInstanceOf(CorruptStateException.class);
    }
}
