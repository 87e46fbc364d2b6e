package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.PostgresSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The schema's life: created by the migrations, left alone when current, migrated late when the database was down. */
class MigrationIT {
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");
    @RegisterExtension
    final PostgresSchema schema = PostgresSchema.named("migration");
    private final NspRoomId room = new NspRoomId("app1", "chat");

    private long migrationsApplied() {
        return PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".flyway_schema_history WHERE success AND version IS NOT NULL"
                + " AND type = 'SQL'");
    }

    @Test
    void buildingChecksTheLoginAndCreatesNothingUntilStart() {
        String schemas = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + schema.name() + "'";
        try (PostgresHistory history = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
            assertThat(PostgresSchema.count(schemas)).as("before start").isZero();
            history.start();
            assertThat(PostgresSchema.count(schemas)).as("after start").isEqualTo(1);
        }
    }

    @Test
    void aFreshSchemaIsMigratedToTheLatestVersion() {
        try (PostgresHistory history = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
            history.start();
            assertThat(history.isHealthy()).isTrue();
        }
        assertThat(PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".flyway_schema_history WHERE version = '1' AND success"))
                .isEqualTo(1);
        assertThat(PostgresSchema.count("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema.name()
                + "' AND table_name = 'presence_event' AND column_name IN ('app', 'room', 'connection_id', 'client_id', 'event',"
                + " 'data', 'user_info', 'event_at', 'recorded_at', 'job_id', 'event_index')")).isEqualTo(11);
        assertThat(PostgresSchema.count("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema.name() + "' AND indexname IN"
                + " ('presence_event_job_event_key', 'presence_event_room_time_idx', 'presence_event_recorded_at_idx')"))
                .isEqualTo(3);
    }

    @Test
    void startingAgainOnACurrentSchemaAppliesNothingAndKeepsTheData() {
        HistoryRecord record = Fixtures.record("job-1", 0, room, "c1", EventType.JOIN, "{}", T0);
        try (PostgresHistory first = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
            Confirmations.await(first.record(List.of(record)));
        }
        long before = PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".flyway_schema_history");

        try (PostgresHistory second = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
            assertThat(second.migrate()).isZero();
            assertThat(second.history(room, T0, T0.plusSeconds(1), 10)).hasSize(1);
        }
        assertThat(PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".flyway_schema_history")).isEqualTo(before);
        assertThat(migrationsApplied()).isEqualTo(1);
    }

    @Test
    void aRoomsTimeRangeIsReadThroughItsIndexWithoutSorting() throws Exception {
        try (PostgresHistory history = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
            List<HistoryRecord> records = new ArrayList<>();
            for (int i = 0; i < 200; i++)
                records.add(Fixtures.record("job-" + i, 0, new NspRoomId("app1", "room" + (i % 20)), "c" + i,
                        EventType.JOIN, "{}", T0.plusSeconds(i)));
            Confirmations.await(history.record(records));
        }
        StringBuilder plan = new StringBuilder();
        try (Connection connection = PostgresSchema.connect();
             Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE " + schema.name() + ".presence_event");
            // Make every other plan look dear: if the index can deliver the rows in order, no Sort remains.
            statement.execute("SET enable_seqscan = off");
            statement.execute("SET enable_bitmapscan = off");
            statement.execute("SET enable_sort = off");
            try (ResultSet rs = statement.executeQuery("EXPLAIN SELECT * FROM " + schema.name() + ".presence_event"
                    + " WHERE app = 'app1' AND room = 'room3' AND event_at >= '2024-10-03T14:49:00Z' AND event_at < '2024-10-03T15:00:00Z'"
                    + " ORDER BY event_at DESC, id DESC LIMIT 100")) {
                while (rs.next()) plan.append(rs.getString(1)).append('\n');
            }
        }
        assertThat(plan.toString()).contains("Index Scan Backward using presence_event_room_time_idx").doesNotContain("Sort");
    }

    @Test
    void aDatabaseDownAtStartIsMigratedOnFirstUseOnceItIsBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy(5432)) {
            proxy.cut();
            PostgresSettings settings = TestSettings.of(schema).withAddress("127.0.0.1", proxy.port());
            try (PostgresHistory history = new PostgresHistory(settings, HistoryRetention.ofDays(30))) {
                HistoryRecord record = Fixtures.record("job-1", 0, room, "c1", EventType.JOIN, "{}", T0);
                assertThat(history.isHealthy()).isFalse();
                assertThatThrownBy(() -> Confirmations.await(history.record(List.of(record)))).isInstanceOf(DependencyUnavailableException.class);
                assertThatThrownBy(() -> history.history(room, T0, T0.plusSeconds(1), 10))
                        .isInstanceOf(DependencyUnavailableException.class);

                proxy.restore();
                Confirmations.await(history.record(List.of(record)));
                assertThat(history.history(room, T0, T0.plusSeconds(1), 10)).containsExactly(record);
            }
        }
        assertThat(migrationsApplied()).isEqualTo(1);
    }

    @Test
    void nothingListeningIsADependencyUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PostgresSettings settings = TestSettings.of(schema).withAddress("127.0.0.1", closedPort);
        try (PostgresHistory history = new PostgresHistory(settings, HistoryRetention.ofDays(30))) {
            assertThatThrownBy(history::purgeExpired).isInstanceOf(DependencyUnavailableException.class);
            assertThat(history.isHealthy()).isFalse();
        }
    }

    @Test
    void aDatabaseThatDoesNotExistStopsTheStartSayingSo() {
        PostgresSettings settings = new PostgresSettings("127.0.0.1", 5432, "no_such_database_" + schema.name(), "postgres", "",
                2, PostgresSettings.DEFAULT_IDLE_TIMEOUT, true, false, schema.name());
        assertThatThrownBy(() -> new PostgresHistory(settings, HistoryRetention.ofDays(30)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no such database (check the database name)");
    }
}
