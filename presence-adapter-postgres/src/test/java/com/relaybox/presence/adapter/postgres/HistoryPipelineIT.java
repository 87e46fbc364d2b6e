package com.relaybox.presence.adapter.postgres;

import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriter;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryWriterSettings;
import com.relaybox.presence.adapter.rabbitmq.history.RabbitHistoryOutbox;
import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.HistoryJson;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole history path on the real servers: PresenceJobs -> RabbitHistoryOutbox -> queue ->
 * HistoryWriter -> PostgresHistory.
 */
class HistoryPipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final PostgresSchema SCHEMA = PostgresSchema.named("pipeline");
    @RegisterExtension
    static final RabbitVhost vhost = RabbitVhost.named("history-pipeline");
    private static HistoryQueueSettings queue;
    private static PostgresHistory history;
    private static RabbitHistoryOutbox outbox;
    private static HistoryWriter writer;
    private static PresenceJobs jobs;
    private final String app = "a" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);

    @BeforeAll
    static void start() {
        queue = HistoryQueueSettings.of(vhost.uri());
        history = new PostgresHistory(TestSettings.of(SCHEMA), HistoryRetention.ofDays(30));
        outbox = new RabbitHistoryOutbox(queue);
        writer = new HistoryWriter(queue, HistoryWriterSettings.defaults(), history);
        jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), new InMemoryPresenceStore(),
                new InMemoryBroadcaster(), outbox, TimeSource.system());
    }

    @AfterAll
    static void stop() {
        writer.close();
        outbox.close();
        history.close();
    }

    private long rows(String where) {
        return PostgresSchema.count("SELECT count(*) FROM " + SCHEMA.name() + ".presence_event WHERE app = '" + app + "'"
                + (where.isEmpty() ? "" : " AND " + where));
    }

    /** Waits until the writer has passed {@code written} records in all to the database and nothing is left in the queue. */
    private static void drained(long written) {
        Poll.await(WAIT, "the writer passed " + written + " records and the queue is empty", () ->
                writer.status().recordsWritten() >= written && writer.status().backlogMessages().equals(OptionalLong.of(0)));
    }

    @Test
    void jobsInRowsOnceWithTheRightFields() throws Exception {
        String t = "2024-10-03T14:49:14.";
        List<RawJob> batch1 = List.of(
                Jobs.room("presence:join", app + "-j1", app, "chat:lobby", "conn1", "cl1", "{\"message\":\"hello\"}", t + "001Z"),
                Jobs.room("presence:join", app + "-j2", app, "chat:lobby", "conn2", "cl2", "null", t + "002Z"),
                Jobs.room("presence:update", app + "-j3", app, "chat:lobby", "conn1", "cl1", "{\"status\":\"away\"}", t + "003Z"),
                Jobs.room("presence:leave", app + "-j4", app, "chat:lobby", "conn2", "cl2", "null", t + "004Z"),
                Jobs.room("presence:leave", app + "-j5", app, "chat:lobby", "conn9", "cl9", "null", t + "005Z"));
        List<RawJob> batch2 = List.of(
                Jobs.room("presence:join", app + "-j6", app, "games", "conn1", "cl1", "{\"n\":[1,2.5]}", t + "006Z"),
                Jobs.disconnect(app + "-j7", app, "conn1", "cl1", t + "007Z"));

        List<Outcome> outcomes = new ArrayList<>(applied(jobs, batch1));
        outcomes.addAll(applied(jobs, batch2));
        assertThat(outcomes.get(4)).isInstanceOf(Outcome.Ignored.class);
        long before = writer.status().recordsWritten();
        Poll.await(WAIT, "7 rows", () -> rows("") == 7);
        drained(before);

        try (java.sql.Connection connection = PostgresSchema.connect();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT * FROM " + SCHEMA.name() + ".presence_event WHERE app = '" + app
                     + "' ORDER BY id")) {
            List<Map<String, Object>> found = new ArrayList<>();
            while (rs.next()) {
                found.add(Map.of("room", rs.getString("room"), "connection", rs.getString("connection_id"),
                        "client", rs.getString("client_id"), "event", rs.getString("event"),
                        "data", String.valueOf(rs.getString("data")), "user", rs.getString("user_info"),
                        "at", rs.getObject("event_at", java.time.OffsetDateTime.class).toInstant(),
                        "job", rs.getString("job_id"), "index", rs.getInt("event_index")));
            }
            assertThat(found).hasSize(7);
            Map<String, Object> join = found.get(0);
            assertThat(join).containsEntry("room", "chat:lobby").containsEntry("connection", app + ":conn1")
                    .containsEntry("client", app + ":cl1").containsEntry("event", "join").containsEntry("job", app + "-j1")
                    .containsEntry("index", 0).containsEntry("at", Instant.parse(t + "001Z"));
            assertThat(JsonParser.parseString((String) join.get("data"))).isEqualTo(JsonParser.parseString("{\"message\":\"hello\"}"));
            assertThat(JsonParser.parseString((String) join.get("user"))).isEqualTo(JsonParser.parseString(Jobs.user("cl1")));
            assertThat(found.get(1)).containsEntry("event", "join").containsEntry("connection", app + ":conn2")
                    .containsEntry("data", "null");
            assertThat(found.get(2)).containsEntry("event", "update").containsEntry("job", app + "-j3");
            assertThat(JsonParser.parseString((String) found.get(2).get("data")))
                    .isEqualTo(JsonParser.parseString("{\"status\":\"away\"}"));
            assertThat(found.get(3)).containsEntry("event", "leave").containsEntry("job", app + "-j4")
                    .containsEntry("connection", app + ":conn2");
            assertThat(found.get(4)).containsEntry("event", "join").containsEntry("room", "games");
            // The disconnect leaves both rooms: one row each, told apart by the event index.
            List<Map<String, Object>> leaves = found.subList(5, 7);
            assertThat(leaves).allSatisfy(row -> assertThat(row).containsEntry("job", app + "-j7").containsEntry("event", "leave")
                    .containsEntry("connection", app + ":conn1").containsEntry("at", Instant.parse(t + "007Z")));
            assertThat(leaves).extracting(row -> row.get("room")).containsExactlyInAnyOrder("chat:lobby", "games");
            assertThat(leaves).extracting(row -> row.get("index")).containsExactlyInAnyOrder(0, 1);
        }

        List<HistoryRecord> lobby = history.history(new NspRoomId(app, "chat:lobby"), Instant.parse(t + "000Z"),
                Instant.parse(t + "999Z"), 100);
        assertThat(lobby).extracting(HistoryRecord::event).containsExactly(EventType.LEAVE, EventType.LEAVE,
                EventType.UPDATE, EventType.JOIN, EventType.JOIN);
    }

    @Test
    void theSameJobDeliveredTwiceGivesOneRow() {
        RawJob join = Jobs.room("presence:join", app + "-dup", app, "chat", "conn1", "cl1", "{}", "2024-10-03T14:49:14.329Z");
        long before = writer.status().recordsWritten();

        assertThat(jobs.process(join)).isInstanceOf(Outcome.Applied.class);
        assertThat(jobs.process(join)).isInstanceOf(Outcome.Ignored.class);
        // A broker redelivery of an applied job records it again; the database keeps it once.
        assertThat(jobs.process(join.asRedelivery())).isInstanceOf(Outcome.Applied.class);

        drained(before + 2);
        assertThat(rows("job_id = '" + app + "-dup'")).isEqualTo(1);
    }

    @Test
    void theSameOutboxMessageDeliveredAgainWritesNoSecondRow() throws Exception {
        List<HistoryRecord> records = new ArrayList<>();
        for (int i = 0; i < 25; i++)
            records.add(Fixtures.record(app + "-again-" + i, 0, new NspRoomId(app, "chat"), "c" + i, EventType.JOIN, "{}",
                    Instant.parse("2024-10-03T14:49:14.329Z").plusSeconds(i)));
        byte[] message = HistoryJson.encode(records);
        long before = writer.status().recordsWritten();

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(vhost.uri());
        try (Connection connection = factory.newConnection("test-publisher")) {
            Channel channel = connection.createChannel();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            channel.basicPublish("", queue.queue(), persistent, message);
            drained(before + 25);
            channel.basicPublish("", queue.queue(), persistent, message);
            drained(before + 50);
        }
        assertThat(rows("")).isEqualTo(25);
    }

    /** A batch applied and waited for, as a transport does with one batch. */
    private static List<Outcome> applied(ProcessJobs jobs, List<RawJob> batch) {
        ProcessJobs.AppliedBatch applied = jobs.applyBatch(batch, Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        return applied.outcomes();
    }
}
