package com.relaybox.presence.core.contract;

import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every history keeps and gives back (CONTRACT §5). JSON is compared by value: a store may
 * normalise it (PostgreSQL's jsonb reorders keys).
 */
public abstract class HistoryContract {
    protected final String app = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");

    protected abstract HistoryRecorder recorder();

    protected abstract HistoryReader reader();

    @Test
    void aRecordReadsBackWithEveryField() {
        NspRoomId room = new NspRoomId(app, "chat:lobby");
        HistoryRecord record = Fixtures.record(app + "-job-1", 0, room, "c1", EventType.JOIN,
                "{\"message\":\"héllo\",\"n\":[1,2.5,null],\"nested\":{\"b\":1,\"a\":2}}", T0);

        Confirmations.await(recorder().record(List.of(record)));

        List<HistoryRecord> read = reader().history(room, T0, T0.plusMillis(1), 10);
        assertThat(read).hasSize(1);
        HistoryRecord back = read.get(0);
        assertThat(back.jobId()).isEqualTo(record.jobId());
        assertThat(back.eventIndex()).isEqualTo(0);
        assertThat(back.room()).isEqualTo(room);
        assertThat(back.connectionId()).isEqualTo(record.connectionId());
        assertThat(back.clientId()).isEqualTo(record.clientId());
        assertThat(back.event()).isEqualTo(EventType.JOIN);
        assertThat(back.timestamp()).isEqualTo(T0);
        assertThat(JsonParser.parseString(back.dataJson())).isEqualTo(JsonParser.parseString(record.dataJson()));
        assertThat(JsonParser.parseString(back.userJson())).isEqualTo(JsonParser.parseString(record.userJson()));
    }

    @Test
    void nullDataAndUserReadBackAsNull() {
        NspRoomId room = new NspRoomId(app, "chat");
        HistoryRecord record = new HistoryRecord(new JobId(app + "-job-1"), 0, room, new ConnectionId(app + ":c1"),
                Optional.empty(), EventType.LEAVE, "null", "null", T0);

        Confirmations.await(recorder().record(List.of(record)));

        HistoryRecord back = reader().history(room, T0, T0.plusSeconds(1), 10).get(0);
        assertThat(back.dataJson()).isEqualTo("null");
        assertThat(back.userJson()).isEqualTo("null");
        assertThat(back.clientId()).isEmpty();
    }

    @Test
    void aRoomsHistoryIsReadNewestFirstWithinTheRangeUpToTheLimit() {
        NspRoomId room = new NspRoomId(app, "chat");
        NspRoomId other = new NspRoomId(app, "other");
        List<HistoryRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(Fixtures.record(app + "-job-" + i, 0, room, "c" + i, EventType.JOIN, "{\"i\":" + i + "}", T0.plusSeconds(i)));
            records.add(Fixtures.record(app + "-other-" + i, 0, other, "c" + i, EventType.JOIN, "{}", T0.plusSeconds(i)));
        }
        Confirmations.await(recorder().record(records));

        List<HistoryRecord> window = reader().history(room, T0.plusSeconds(2), T0.plusSeconds(8), 100);
        assertThat(window).extracting(HistoryRecord::timestamp).containsExactly(
                T0.plusSeconds(7), T0.plusSeconds(6), T0.plusSeconds(5), T0.plusSeconds(4), T0.plusSeconds(3), T0.plusSeconds(2));
        assertThat(window).allMatch(r -> r.room().equals(room));

        assertThat(reader().history(room, T0, T0.plusSeconds(100), 3)).extracting(HistoryRecord::timestamp)
                .containsExactly(T0.plusSeconds(9), T0.plusSeconds(8), T0.plusSeconds(7));
        assertThat(reader().history(new NspRoomId(app, "nobody"), T0, T0.plusSeconds(100), 3)).isEmpty();
    }

    @Test
    void aRecordKeptAlreadyIsNotKeptTwice() {
        NspRoomId room = new NspRoomId(app, "chat");
        HistoryRecord record = Fixtures.record(app + "-job-1", 0, room, "c1", EventType.JOIN, "{}", T0);
        HistoryRecord secondLeaveOfSameJob = Fixtures.record(app + "-job-1", 1, room, "c1", EventType.LEAVE, "null", T0);

        Confirmations.await(recorder().record(List.of(record)));
        Confirmations.await(recorder().record(List.of(record, secondLeaveOfSameJob)));
        Confirmations.await(recorder().record(List.of(secondLeaveOfSameJob, secondLeaveOfSameJob)));

        assertThat(reader().history(room, T0, T0.plusSeconds(1), 10))
                .extracting(HistoryRecord::eventIndex).containsExactlyInAnyOrder(0, 1);
    }
}
