package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriter;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.adapter.rabbitmq.history.RabbitHistoryOutbox;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.PostgresSchema;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL cut off while jobs flow: presence goes on, history waits in the queue, the writer
 * backs off, and after recovery every record is there exactly once. The database is cut by a TCP
 * proxy in front of the shared server (which keeps running for everyone else).
 */
class HistoryOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BATCHES = 150;
    private static final int JOBS_PER_BATCH = 20;
    private volatile boolean cutDone;
    private volatile boolean degradedSeen;

    @Test
    void presenceGoesOnWhilePostgresIsCutAndEveryRecordLandsOnceAfterwards() throws Exception {
        String app = "outage";
        InMemoryBroadcaster broadcaster = new InMemoryBroadcaster();
        AtomicInteger batchesDone = new AtomicInteger();
        Set<String> expected = new HashSet<>();
        try (PostgresSchema schema = PostgresSchema.named("outage").create();
             RabbitVhost vhost = RabbitVhost.named("history-outage").create(); TcpProxy proxy = new TcpProxy(5432)) {
            HistoryQueueSettings queue = HistoryQueueSettings.of(vhost.uri());
            PostgresSettings settings = TestSettings.of(schema).withAddress("127.0.0.1", proxy.port());
            HistoryWriterSettings writerSettings = HistoryWriterSettings.defaults()
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
            try (PostgresHistory history = new PostgresHistory(settings, HistoryRetention.ofDays(30));
                 RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(queue);
                 HistoryWriter writer = new HistoryWriter(queue, writerSettings, history)) {
                PresenceJobs jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES),
                        new InMemoryPresenceStore(), broadcaster, outbox, TimeSource.system());

                CompletableFuture<Void> flow = CompletableFuture.runAsync(() -> {
                    for (int b = 0; b < BATCHES; b++) {
                        List<RawJob> batch = batch(app, b);
                        List<Outcome> outcomes = applied(jobs, batch);
                        for (int i = 0; i < batch.size(); i++)
                            if (outcomes.get(i) instanceof Outcome.Applied applied)
                                for (int k = 0; k < applied.events().size(); k++)
                                    synchronized (expected) {
                                        expected.add(batch.get(i).id() + "/" + k);
                                    }
                        batchesDone.incrementAndGet();
                        // Pace the flow so the outage falls in its middle: wait for the test's signal in the cut.
                        if (b == BATCHES / 3) Poll.await(WAIT, "the cut", () -> cutDone);
                        if (b == 2 * BATCHES / 3) Poll.await(WAIT, "the writer degraded", () -> degradedSeen);
                    }
                });

                Poll.await(WAIT, "a third of the jobs applied", () -> batchesDone.get() > BATCHES / 3);
                proxy.cut();
                cutDone = true;
                int atCut = batchesDone.get();
                Poll.await(WAIT, "the writer reports history degraded", () -> !writer.status().healthy());
                degradedSeen = true;

                // Presence keeps working: jobs are applied, broadcast and put in the outbox while the database is away.
                Poll.await(WAIT, "more jobs applied during the cut", () -> batchesDone.get() >= 2 * BATCHES / 3);
                assertThat(batchesDone.get()).isGreaterThan(atCut);
                assertThat(writer.status().backlogMessages().orElseThrow()).isPositive();
                assertThat(history.isHealthy()).isFalse();

                proxy.restore();
                flow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                Poll.await(WAIT, "every record written", () -> rows(schema) == expected.size());
                Poll.await(WAIT, "the writer healthy with no backlog", () -> writer.status().healthy()
                        && writer.status().backlogMessages().orElse(-1) == 0);
            }
            assertThat(broadcaster.events()).hasSize(expected.size());
            assertThat(keys(schema)).isEqualTo(expected);
        }
    }

    /** Joins of new connections, updates, leaves, and a disconnect of a connection in two rooms. */
    private static List<RawJob> batch(String app, int b) {
        String ts = Instant.parse("2024-10-03T14:00:00Z").plusMillis(b).toString();
        List<RawJob> batch = new ArrayList<>(JOBS_PER_BATCH);
        for (int i = 0; i < JOBS_PER_BATCH - 4; i++)
            batch.add(Jobs.room("presence:join", "b" + b + "-join-" + i, app, "room" + (i % 4), "c" + b + "-" + i, "cl" + i,
                    "{\"i\":" + i + "}", ts));
        batch.add(Jobs.room("presence:update", "b" + b + "-upd", app, "room0", "c" + b + "-0", "cl0", "{\"away\":true}", ts));
        batch.add(Jobs.room("presence:leave", "b" + b + "-leave", app, "room1", "c" + b + "-1", "cl1", "null", ts));
        batch.add(Jobs.room("presence:join", "b" + b + "-join-x", app, "room3", "c" + b + "-2", "cl2", "null", ts));
        batch.add(Jobs.disconnect("b" + b + "-disc", app, "c" + b + "-2", "cl2", ts));
        return batch;
    }

    private static long rows(PostgresSchema schema) {
        return PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".presence_event");
    }

    private static Set<String> keys(PostgresSchema schema) throws Exception {
        Set<String> keys = new HashSet<>();
        try (Connection connection = PostgresSchema.connect();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT job_id, event_index FROM " + schema.name() + ".presence_event")) {
            while (rs.next()) keys.add(rs.getString(1) + "/" + rs.getInt(2));
        }
        return keys;
    }

    /** A batch applied and waited for, as a transport does with one batch. */
    private static List<Outcome> applied(ProcessJobs jobs, List<RawJob> batch) {
        ProcessJobs.AppliedBatch applied = jobs.applyBatch(batch, Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        return applied.outcomes();
    }
}
