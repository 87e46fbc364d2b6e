package com.relaybox.presence.adapter.postgres;

import com.google.gson.JsonParser;
import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.contract.HistoryContract;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.testkit.PostgresSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Core's history contract against the real PostgreSQL, in a schema of its own; and what jsonb refuses. */
class PostgresHistoryIT extends HistoryContract {
    @RegisterExtension
    static final PostgresSchema SCHEMA = PostgresSchema.named("history");
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");
    private static PostgresHistory history;

    @BeforeAll
    static void start() {
        history = new PostgresHistory(TestSettings.of(SCHEMA), HistoryRetention.ofDays(30));
    }

    @AfterAll
    static void stop() {
        history.close();
    }

    @Override
    protected HistoryRecorder recorder() {
        return history;
    }

    @Override
    protected HistoryReader reader() {
        return history;
    }

    private long rows() {
        return PostgresSchema.count("SELECT count(*) FROM " + SCHEMA.name() + ".presence_event WHERE app = '" + app + "'");
    }

    @Test
    void dataThatJsonbRefusesIsKeptAsTextAndDoesNotBlockTheRecordsBesideIt() {
        NspRoomId room = new NspRoomId(app, "chat");
        HistoryRecord before = Fixtures.record(app + "-job-1", 0, room, "c1", EventType.JOIN, "{\"ok\":1}", T0);
        HistoryRecord nul = Fixtures.record(app + "-job-2", 0, room, "c2", EventType.JOIN, "{\"m\":\"a\\u0000b\"}", T0.plusMillis(1));
        HistoryRecord after = Fixtures.record(app + "-job-3", 0, room, "c3", EventType.JOIN, "{\"ok\":3}", T0.plusMillis(2));

        Confirmations.await(history.record(List.of(before, nul, after)));
        Confirmations.await(history.record(List.of(before, nul, after)));

        List<HistoryRecord> read = history.history(room, T0, T0.plusSeconds(1), 10);
        assertThat(read).extracting(HistoryRecord::jobId).containsExactly(after.jobId(), nul.jobId(), before.jobId());
        assertThat(JsonParser.parseString(read.get(1).dataJson()).getAsString()).isEqualTo(nul.dataJson());
        assertThat(JsonParser.parseString(read.get(0).dataJson())).isEqualTo(JsonParser.parseString(after.dataJson()));
        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void aNulCharacterInAnIdIsStoredAsTheReplacementCharacterOnce() {
        NspRoomId room = new NspRoomId(app, "chat");
        HistoryRecord record = new HistoryRecord(new JobId(app + "-job\u0000x"), 0, room, new ConnectionId(app + ":c\u0000"),
                Optional.of("client\u0000"), EventType.UPDATE, "{}", "null", T0);

        Confirmations.await(history.record(List.of(record)));
        Confirmations.await(history.record(List.of(record)));

        HistoryRecord back = history.history(room, T0, T0.plusSeconds(1), 10).get(0);
        assertThat(back.jobId().value()).isEqualTo(app + "-job\uFFFDx");
        assertThat(back.connectionId().value()).isEqualTo(app + ":c\uFFFD");
        assertThat(back.clientId()).contains("client\uFFFD");
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void anEventTimeBeyondWhatPostgresHoldsIsKeptAsInfinity() {
        NspRoomId room = new NspRoomId(app, "chat");
        HistoryRecord future = Fixtures.record(app + "-future", 0, room, "c1", EventType.JOIN, "{}", Instant.parse("+20000-01-01T00:00:00Z"));
        HistoryRecord past = Fixtures.record(app + "-past", 0, room, "c2", EventType.JOIN, "{}", Instant.parse("0000-06-01T00:00:00Z"));

        Confirmations.await(history.record(List.of(future, past)));
        Confirmations.await(history.record(List.of(future, past)));

        assertThat(rows()).isEqualTo(2);
        assertThat(PostgresSchema.count("SELECT count(*) FROM " + SCHEMA.name() + ".presence_event WHERE app = '" + app
                + "' AND event_at IN ('infinity', '-infinity')")).isEqualTo(2);
        assertThat(history.history(room, Instant.MIN, Instant.MAX, 10)).extracting(HistoryRecord::timestamp)
                .containsExactly(Instant.MIN);
    }

    @Test
    void aDisconnectsLeavesAreDistinctByTheirIndex() {
        HistoryRecord leaveA = Fixtures.record(app + "-disc", 0, new NspRoomId(app, "a"), "c1", EventType.LEAVE, "null", T0);
        HistoryRecord leaveB = Fixtures.record(app + "-disc", 1, new NspRoomId(app, "b"), "c1", EventType.LEAVE, "null", T0);

        Confirmations.await(history.record(List.of(leaveA, leaveB)));

        assertThat(history.history(new NspRoomId(app, "a"), T0, T0.plusSeconds(1), 10)).containsExactly(leaveA);
        assertThat(history.history(new NspRoomId(app, "b"), T0, T0.plusSeconds(1), 10)).containsExactly(leaveB);
    }
}
