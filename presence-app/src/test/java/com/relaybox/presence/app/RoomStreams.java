package com.relaybox.presence.app;

import com.google.gson.JsonParser;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams of jobs, one per room, as a realtime service sends them: room {@code r} gets a join of
 * connection {@code conn-r}, then updates, each job carrying its sequence number in its data. A job
 * applied out of order would show in the broadcasts and could leave an earlier number as the
 * member's final data; a job lost, as a number missing.
 */
final class RoomStreams {
    private final String app;
    private final int firstRoom;
    private final int rooms;
    final int perRoom;

    /** Rooms {@code room-<firstRoom>} … of {@code app}, {@code perRoom} jobs each. */
    RoomStreams(String app, int firstRoom, int rooms, int perRoom) {
        this.app = app;
        this.firstRoom = firstRoom;
        this.rooms = rooms;
        this.perRoom = perRoom;
    }

    int total() {
        return rooms * perRoom;
    }

    List<Integer> indices() {
        List<Integer> indices = new ArrayList<>();
        for (int r = firstRoom; r < firstRoom + rooms; r++) indices.add(r);
        return indices;
    }

    String room(int r) {
        return app + ":room-" + r;
    }

    String connection(int r) {
        return app + ":conn-" + r;
    }

    static JobType type(int seq) {
        return seq == 0 ? JobType.JOIN : JobType.UPDATE;
    }

    /** The job data of job {@code seq} of room {@code r} (CONTRACT §2). */
    String body(int r, int seq) {
        return ServicesIT.body(app, room(r), connection(r), "client-" + r, "{\"seq\":" + seq + "}");
    }

    /** Each room's member's current {@code data.seq} (-1 while it has none). */
    Map<String, Integer> lastSequences(RedisClient redis) {
        Map<String, Integer> sequences = new HashMap<>();
        for (int r : indices()) {
            String member = redis.hget("presence:" + room(r) + ":members", connection(r));
            sequences.put(room(r), member == null ? -1
                    : JsonParser.parseString(member).getAsJsonObject().getAsJsonObject("data").get("seq").getAsInt());
        }
        return sequences;
    }

    boolean allApplied(RedisClient redis) {
        return lastSequences(redis).values().stream().allMatch(seq -> seq == perRoom - 1);
    }

    /** Each room holds its one member, in both of its keys. */
    void assertOneMemberEach(RedisClient redis) {
        for (int r : indices()) {
            assertThat(redis.llen("presence:" + room(r) + ":index")).as(room(r)).isEqualTo(1);
            assertThat(redis.hlen("presence:" + room(r) + ":members")).as(room(r)).isEqualTo(1);
        }
    }

    /**
     * Broadcasts are at least once: per room, the first sight of each job is in order and none is
     * missing; a repeat (a redelivery after a stop or a crash) carries the same data as the first.
     */
    void assertFirstSightsInOrder(Iterable<ServicesFixture.Broadcast> broadcasts) {
        Map<String, List<Integer>> firstSeen = new HashMap<>();
        Map<String, String> dataOf = new HashMap<>();
        for (ServicesFixture.Broadcast broadcast : broadcasts) {
            if (!broadcast.data().get("data").isJsonObject() || !broadcast.data().getAsJsonObject("data").has("seq")) continue;
            int seq = broadcast.data().getAsJsonObject("data").get("seq").getAsInt();
            String key = broadcast.room() + "#" + seq;
            String data = broadcast.data().toString();
            String earlier = dataOf.putIfAbsent(key, data);
            if (earlier == null) firstSeen.computeIfAbsent(broadcast.room(), room -> new ArrayList<>()).add(seq);
            else assertThat(data).as("repeat of %s", key).isEqualTo(earlier);
        }
        List<Integer> expected = new ArrayList<>();
        for (int seq = 0; seq < perRoom; seq++) expected.add(seq);
        for (int r : indices()) assertThat(firstSeen.get(room(r))).as("order of %s", room(r)).isEqualTo(expected);
    }

    /**
     * Publishes every room's jobs, interleaved, 40 at a time, about 300 a second, so that the stream
     * lasts through the failures a test causes meanwhile; a publish that fails (its broker node died,
     * or the connection is recovering) is made again with the same ids, for up to {@code within}.
     */
    void publishPaced(ServicesFixture services, PresenceJobPublisher publisher, AtomicInteger published, Duration within) {
        List<PresenceJobPublisher.Job> batch = new ArrayList<>();
        for (int seq = 0; seq < perRoom; seq++) {
            for (int r : indices())
                batch.add(PresenceJobPublisher.Job.of(type(seq), body(r, seq), services.jobPrefix + r + "-" + seq));
            if (batch.size() >= 40 || seq == perRoom - 1) {
                long deadline = System.nanoTime() + within.toNanos();
                while (true) {
                    try {
                        publisher.publishAll(batch);
                        break;
                    } catch (DependencyUnavailableException e) {
                        if (System.nanoTime() > deadline) throw e;
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                    }
                }
                published.addAndGet(batch.size());
                batch.clear();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(125));
            }
        }
    }
}
