package com.relaybox.presence.app;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Shard;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job memory through the jar, against the real servers: a job is remembered for the whole job
 * memory until its source has the acknowledgement, and for the duplicate window after. Windows are
 * short here; what the tests wait for is observed (a key's TTL, a key gone), never a time.
 */
class JobMemoryIT {
    private static final Duration WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /**
     * A producer's duplicate inside the window changes nothing and is not broadcast; once the window
     * is over the acknowledged job's memory is gone (the bound), and the same id would apply again.
     */
    @Test
    void aProducersDuplicateInsideTheWindowIsIgnoredAndTheMemoryIsGoneAfterIt() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            String room = services.appPid + ":lobby";
            PresenceJobPublisher.Job join = job(services, "join-1", JobType.JOIN, room, "c1");
            String record = "presence-job:" + join.messageId();
            Map<String, String> env = services.env();
            env.put("PRESENCE_JOB_DUPLICATE_WINDOW_S", "15");

            try (JarProcess jar = JarProcess.start(dir, env)) {
                jar.awaitStarted();
                publisher.publishAll(List.of(join));
                Poll.await(WITHIN, "the join acknowledged: its memory shortened to the window",
                        () -> ttl(services, record) > 0 && ttl(services, record) <= 15_000);

                publisher.publishAll(List.of(join, job(services, "update-1", JobType.UPDATE, room, "c1")));
                Poll.await(WITHIN, "the update after the duplicate broadcast", () -> of(broadcasts, "update").size() == 1);
                assertThat(of(broadcasts, "join")).as("the producer's duplicate is not broadcast").hasSize(1);
                assertThat(services.redis.llen("presence:" + room + ":index")).isEqualTo(1);

                Poll.await(WITHIN, "the join's memory gone once the window is over", () -> !services.redis.exists(record));
                publisher.publishAll(List.of(join));
                Poll.await(WITHIN, "a duplicate after the window is applied again (the documented limit)",
                        () -> of(broadcasts, "join").size() == 2);
                jar.terminate();
                assertThat(jar.awaitExit(Duration.ofSeconds(15))).isEqualTo(0);
            }
        }
    }

    /**
     * A job applied and never acknowledged (its broadcast refused by the broker, so its batch is
     * retried and never confirmed), the service killed with SIGKILL and down for longer than the
     * duplicate window: the redelivery is still recognised. State changes once, the broadcast is
     * repeated with the same data (the event time of the first application), history holds it once;
     * meanwhile another shard's job, acknowledged before the kill, has been forgotten.
     */
    @Test
    void aJobNeverAcknowledgedIsRecognisedAfterAKillAndAnOutageLongerThanTheWindow() throws Exception {
        try (ServicesFixture services = new ServicesFixture()) {
            ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
            PresenceJobPublisher publisher = services.publisher();
            String blockedRoom = services.appPid + ":blocked";
            String otherRoom = otherShardsRoom(services, blockedRoom);
            PresenceJobPublisher.Job stuck = job(services, "stuck", JobType.JOIN, blockedRoom, "c1");
            PresenceJobPublisher.Job acknowledged = job(services, "acknowledged", JobType.JOIN, otherRoom, "c2");
            String stuckRecord = "presence-job:" + stuck.messageId();
            String acknowledgedRecord = "presence-job:" + acknowledged.messageId();
            Map<String, String> env = services.env();
            env.put("PRESENCE_JOB_DUPLICATE_WINDOW_S", "2");

            // A full queue bound to the blocked room's broadcasts: the broker nacks them (and still delivers the listener's copy).
            Connection connection = services.vhost.connection();
            Channel blocker = connection.createChannel();
            blocker.queueDeclare("it-blocker", false, false, false,
                    Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
            blocker.queueBind("it-blocker", "ds.rooms.durable",
                    Shard.broadcastRoutingKey(NspRoomId.parse(blockedRoom), ServicesFixture.QUEUE_COUNT));

            try (JarProcess first = JarProcess.start(dir, env)) {
                first.awaitStarted();
                publisher.publishAll(List.of(stuck, acknowledged));
                Poll.await(WITHIN, "the stuck join applied and broadcast", () -> of(broadcasts, blockedRoom, "join").size() >= 1);
                Poll.await(WITHIN, "the other shard's join acknowledged",
                        () -> ttl(services, acknowledgedRecord) > 0 && ttl(services, acknowledgedRecord) <= 2_000
                                || !services.redis.exists(acknowledgedRecord) && of(broadcasts, otherRoom, "join").size() == 1);
                first.kill();
            }
            Poll.await(WITHIN, "an outage longer than the window: the acknowledged job forgotten",
                    () -> !services.redis.exists(acknowledgedRecord));
            assertThat(ttl(services, stuckRecord)).as("not acknowledged: the whole job memory")
                    .isGreaterThan(Duration.ofHours(23).toMillis());
            blocker.queueDelete("it-blocker");
            connection.close();
            int broadcastBefore = of(broadcasts, blockedRoom, "join").size();

            try (JarProcess second = JarProcess.start(dir, env)) {
                second.awaitStarted();
                Poll.await(WITHIN, "the redelivery acknowledged", () -> ttl(services, stuckRecord) > 0
                        && ttl(services, stuckRecord) <= 2_000 || !services.redis.exists(stuckRecord));
                Poll.await(WITHIN, "the redelivery broadcast", () -> of(broadcasts, blockedRoom, "join").size() > broadcastBefore);
                second.terminate();
                assertThat(second.awaitExit(Duration.ofSeconds(15))).isEqualTo(0);
            }

            List<ServicesFixture.Broadcast> joins = of(broadcasts, blockedRoom, "join");
            JsonObject firstData = joins.get(0).data();
            assertThat(joins).as("every broadcast of the job carries the first application's data")
                    .allSatisfy(broadcast -> assertThat(broadcast.data()).isEqualTo(firstData));
            assertThat(services.redis.llen("presence:" + blockedRoom + ":index")).isEqualTo(1);
            String member = services.redis.hget("presence:" + blockedRoom + ":members", services.appPid + ":c1");
            assertThat(JsonParser.parseString(member)).as("the state holds the first application").isEqualTo(firstData);
            Poll.await(WITHIN, "history recorded", () -> historyRows(services, stuck.messageId()) >= 1);
            assertThat(historyRows(services, stuck.messageId())).as("history holds it once").isEqualTo(1);
        }
    }

    /** A join without an event time: the service takes its processing time, so a second application would show. */
    private static PresenceJobPublisher.Job job(ServicesFixture services, String id, JobType type, String room, String client) {
        String clientId = services.appPid + ":" + client;
        String body = "{\"clientId\":\"" + clientId + "\",\"nspRoomId\":\"" + room + "\",\"session\":{\"appPid\":\""
                + services.appPid + "\",\"connectionId\":\"" + clientId + "\",\"clientId\":\"" + clientId
                + "\",\"user\":{\"username\":\"" + client + "\"}},\"message\":{\"data\":{\"job\":\"" + id + "\"}}}";
        return PresenceJobPublisher.Job.of(type, body, services.jobPrefix + id);
    }

    private static String otherShardsRoom(ServicesFixture services, String room) {
        int shard = Shard.of(NspRoomId.parse(room), ServicesFixture.QUEUE_COUNT);
        for (int i = 0; ; i++) {
            String other = services.appPid + ":other-" + i;
            if (Shard.of(NspRoomId.parse(other), ServicesFixture.QUEUE_COUNT) != shard) return other;
        }
    }

    private static long ttl(ServicesFixture services, String key) {
        return services.redis.pttl(key);
    }

    private static List<ServicesFixture.Broadcast> of(ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts, String event) {
        return broadcasts.stream().filter(b -> b.data().get("event").getAsString().equals(event)).toList();
    }

    private static List<ServicesFixture.Broadcast> of(ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts, String room,
                                                      String event) {
        return of(broadcasts, event).stream().filter(b -> b.room().equals(room)).toList();
    }

    private static long historyRows(ServicesFixture services, String jobId) {
        try (java.sql.Connection connection = com.relaybox.presence.testkit.PostgresSchema.connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + services.schema.name()
                     + ".presence_event WHERE job_id = '" + jobId + "'")) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
