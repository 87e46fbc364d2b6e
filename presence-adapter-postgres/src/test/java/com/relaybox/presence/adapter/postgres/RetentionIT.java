package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.testkit.PostgresSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionIT {
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");
    @RegisterExtension
    final PostgresSchema schema = PostgresSchema.named("retention");
    private final NspRoomId room = new NspRoomId("app1", "chat");

    private void recordAndAge(PostgresHistory history) {
        List<HistoryRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++)
            records.add(Fixtures.record("job-" + i, 0, room, "c" + i, EventType.JOIN, "{}", T0.plusSeconds(i)));
        Confirmations.await(history.record(records));
        // 23 rows recorded 31 days ago, 5 rows 29 days ago, the rest just now.
        PostgresSchema.execute("UPDATE " + schema.name() + ".presence_event SET recorded_at = now() - interval '31 days'"
                + " WHERE job_id IN (SELECT 'job-' || i FROM generate_series(0, 22) i)");
        PostgresSchema.execute("UPDATE " + schema.name() + ".presence_event SET recorded_at = now() - interval '29 days'"
                + " WHERE job_id IN (SELECT 'job-' || i FROM generate_series(23, 27) i)");
    }

    @Test
    void thePurgeDeletesWhatIsOlderThanTheRetentionInBoundedStatements() {
        HistoryRetention retention = new HistoryRetention(30, Duration.ofHours(1), 5);
        try (PostgresHistory history = new PostgresHistory(TestSettings.of(schema), retention)) {
            recordAndAge(history);

            assertThat(history.purgeExpired()).isEqualTo(23);
            assertThat(history.purgeExpired()).isZero();

            List<HistoryRecord> left = history.history(room, T0, T0.plusSeconds(100), 1000);
            assertThat(left).hasSize(17).allMatch(r -> Integer.parseInt(r.jobId().value().substring(4)) >= 23);
        }
    }

    @Test
    void aRetentionOfZeroKeepsEverything() {
        try (PostgresHistory history = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(0))) {
            recordAndAge(history);

            assertThat(history.purgeExpired()).isZero();
            assertThat(PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".presence_event")).isEqualTo(40);
        }
    }
}
