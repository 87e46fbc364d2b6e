package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriter;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.adapter.rabbitmq.history.RabbitHistoryOutbox;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.PostgresSchema;
import com.relaybox.presence.testkit.RabbitVhost;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The history writer's sustained insert rate: preloads the queue with records through the outbox,
 * then times a writer draining it into PostgreSQL, once per batch size. Prints numbers, asserts
 * nothing. Runs against the servers on this machine, in its own vhost and schemas.
 *
 * <p>Arguments: {@code [records] [records per message] [batch sizes...]}, default {@code 100000 100 500 1000 2000 5000}.
 */
public final class HistoryWriterBenchmark {
    private HistoryWriterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perMessage = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        List<Integer> batchSizes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) batchSizes.add(Integer.parseInt(args[i]));
        if (batchSizes.isEmpty()) batchSizes = List.of(500, 1_000, 2_000, 5_000);

        try (RabbitVhost vhost = RabbitVhost.named("history-bench").create()) {
            for (int batch : batchSizes) {
                HistoryQueueSettings queue = new HistoryQueueSettings(RabbitSettings.of(vhost.uri()), "bench-" + batch);
                try (PostgresSchema schema = PostgresSchema.named("bench").create();
                     PostgresHistory history = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
                    long publishStart = System.nanoTime();
                    try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(queue)) {
                        for (int m = 0; m < total / perMessage; m++) Confirmations.await(outbox.record(records(batch, m, perMessage)));
                    }
                    double publishSeconds = (System.nanoTime() - publishStart) / 1e9;

                    long drainStart = System.nanoTime();
                    HistoryWriterSettings settings = HistoryWriterSettings.defaults().withBatch(batch, Duration.ofMillis(50));
                    try (HistoryWriter writer = new HistoryWriter(queue, settings, history)) {
                        Poll.await(Duration.ofMinutes(10), "drained", () -> writer.status().recordsWritten() >= total);
                    }
                    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
                    long rows = PostgresSchema.count("SELECT count(*) FROM " + schema.name() + ".presence_event");
                    System.out.printf("batch %5d records: %d rows in %.2f s = %,.0f records/s written"
                                    + " (preload: %d messages of %d records confirmed in %.2f s = %,.0f records/s)%n",
                            batch, rows, drainSeconds, rows / drainSeconds, total / perMessage, perMessage, publishSeconds,
                            total / publishSeconds);
                }
                directInsertRate(batch, total);
            }
        }
    }

    /** PostgresHistory alone, same records and batch size, no broker: what the database side can take. */
    private static void directInsertRate(int batch, int total) {
        try (PostgresSchema schema = PostgresSchema.named("bench").create();
             PostgresHistory history = new PostgresHistory(TestSettings.of(schema), HistoryRetention.ofDays(30))) {
            List<List<HistoryRecord>> batches = new ArrayList<>();
            for (int b = 0; b < total / batch; b++) batches.add(records(-batch, b, batch));
            long start = System.nanoTime();
            for (List<HistoryRecord> records : batches) Confirmations.await(history.record(records));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("batch %5d records: PostgresHistory.record alone: %,.0f records/s%n", batch, total / seconds);
        }
    }

    /** Records shaped like production ones: 200 rooms, member data and a session user of typical size. */
    private static List<HistoryRecord> records(int run, int message, int count) {
        List<HistoryRecord> records = new ArrayList<>(count);
        Instant t0 = Instant.parse("2024-10-03T14:49:14.329Z");
        for (int i = 0; i < count; i++) {
            int n = message * count + i;
            String client = "Fef8GnS7C5zN:client-" + (n % 5_000);
            records.add(new HistoryRecord(new JobId("bench-" + run + "-" + n), 0, new NspRoomId("Fef8GnS7C5zN", "room-" + (n % 200)),
                    new ConnectionId("Fef8GnS7C5zN:conn-" + (n % 5_000)), Optional.of(client), EventType.values()[n % 3],
                    "{\"message\":\"hello from " + n + "\",\"status\":\"online\"}",
                    "{\"id\":\"a2c10890-" + n + "\",\"clientId\":\"client-" + (n % 5_000)
                            + "\",\"username\":\"chippedvolcano425\",\"isOnline\":true}",
                    t0.plusMillis(n)));
        }
        return records;
    }
}
