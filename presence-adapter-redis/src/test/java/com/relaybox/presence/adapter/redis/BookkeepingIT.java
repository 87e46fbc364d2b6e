package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.PrivateRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's own keys: small, expiring, and out of RelayBox's key patterns. */
class BookkeepingIT {
    private final String app = RedisKeyspace.newApp();
    private final TestJobs jobs = new TestJobs(app);
    @RegisterExtension
    final RedisKeyspace redis = RedisKeyspace.cleaningUp(app);

    @Test
    void aJobRecordIsSmallAndExpiresAfterTheJobMemory() {
        try (RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings())) {
            StoreCommand.Join join = jobs.join("chat:lobby", "c1");
            store.apply(List.of(join));

            String record = "presence-job:" + join.jobId();
            assertThat(redis.jedis.type(record)).isEqualTo("string");
            assertThat(redis.jedis.get(record)).as("effect, timestamp and room, not the member JSON")
                    .contains(join.timestamp(), join.room().toString())
                    .doesNotContain("connectionId");
            assertThat(redis.jedis.strlen(record)).isLessThan(80);
            assertThat(redis.jedis.pttl(record)).isBetween(Duration.ofHours(24).minusMinutes(1).toMillis(), Duration.ofHours(24).toMillis());

            store.apply(List.of(jobs.disconnect("c1")));
            assertThat(redis.jedis.pttl("presence-tombstone:" + app + ":c1")).isBetween(590_000L, 600_000L);
            assertThat(redis.keys("presence:*" + app + "*")).as("RelayBox's pattern finds none of the bookkeeping").isEmpty();
            assertThat(redis.keys("connection:*" + app + "*")).isEmpty();
        }
    }

    /** The documented limit: once the record is gone, a very late duplicate is applied again. */
    @Test
    void afterTheJobMemoryADuplicateAppliesAgain() {
        RedisSettings settings = RedisKeyspace.localSettings()
                .withJobMemory(new JobMemory(Duration.ofMillis(300), Duration.ofMillis(300)));
        try (RedisPresenceStore store = new RedisPresenceStore(settings)) {
            StoreCommand join = jobs.join("chat", "c1");
            store.apply(List.of(join, jobs.leave("chat", "c1")));
            assertThat(store.apply(List.of(join)).get(0).repeat()).isTrue();

            // Polling a server-side expiry: there is nothing to wait on.
            Poll.await(Duration.ofSeconds(10), "the job record expired",
                    () -> !redis.jedis.exists("presence-job:" + join.jobId()));

            assertThat(store.apply(List.of(join)).get(0)).isEqualTo(StoreResult.changed(List.of(jobs.room("chat")), join.timestamp()));
            assertThat(store.isMember(jobs.room("chat"), jobs.connection("c1"))).isTrue();
        }
    }

    /** The bound: acknowledged, a record is kept for the duplicate window only, unchanged; the others keep the job memory. */
    @Test
    void anAcknowledgedJobRecordIsKeptForTheDuplicateWindowOnly() {
        try (RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings())) {
            StoreCommand acknowledged = jobs.join("chat", "c1");
            StoreCommand unacknowledged = jobs.join("chat", "c2");
            StoreCommand neverApplied = jobs.leave("chat", "c3");
            store.apply(List.of(acknowledged, unacknowledged));
            String record = "presence-job:" + acknowledged.jobId();
            String before = redis.jedis.get(record);

            store.jobsAcknowledged(List.of(acknowledged.jobId(), neverApplied.jobId()));

            long window = JobMemory.DEFAULT_DUPLICATE_WINDOW.toMillis();
            // Shortened off the caller's thread, within the shortener's linger.
            Poll.await(Duration.ofSeconds(10), "the record shortened", () -> redis.jedis.pttl(record) <= window);
            assertThat(redis.jedis.pttl(record)).isBetween(window - Duration.ofMinutes(1).toMillis(), window);
            assertThat(redis.jedis.get(record)).as("the record itself is unchanged").isEqualTo(before);
            assertThat(redis.jedis.pttl("presence-job:" + unacknowledged.jobId()))
                    .isGreaterThan(Duration.ofHours(23).toMillis());
            assertThat(redis.jedis.exists("presence-job:" + neverApplied.jobId())).as("no record made up").isFalse();
        }
    }

    /** Shortening is best effort: with Redis gone it fails quietly (one WARN), and works again once Redis is back. */
    @Test
    void acknowledgingWhileRedisIsDownIsHarmless() {
        try (PrivateRedis server = new PrivateRedis("--save", "", "--appendonly", "no");
             RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.settings(server.port))) {
            StoreCommand join = jobs.join("chat", "c1");
            assertThatThrownBy(() -> store.apply(List.of(join))).isInstanceOf(DependencyUnavailableException.class);

            store.jobsAcknowledged(List.of(join.jobId()));

            server.start();
            Poll.await(Duration.ofSeconds(30), "the private Redis answering", () -> {
                try {
                    store.apply(List.of(join));
                    return true;
                } catch (DependencyUnavailableException e) {
                    return false;
                }
            });
            store.jobsAcknowledged(List.of(join.jobId()));
            try (var client = server.client()) {
                Poll.await(Duration.ofSeconds(10), "the record shortened once Redis is back",
                        () -> client.pttl("presence-job:" + join.jobId()) <= JobMemory.DEFAULT_DUPLICATE_WINDOW.toMillis());
                assertThat(client.pttl("presence-job:" + join.jobId())).isPositive();
            }
        }
    }

    /** What is acknowledged right before the store closes is still shortened: closing sends it. */
    @Test
    void closingSendsWhatIsAcknowledgedButNotYetShortened() {
        StoreCommand join = jobs.join("chat", "c1");
        String record = "presence-job:" + join.jobId();
        RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings());
        store.apply(List.of(join));

        store.jobsAcknowledged(List.of(join.jobId()));
        store.close();

        assertThat(redis.jedis.pttl(record)).isBetween(1L, JobMemory.DEFAULT_DUPLICATE_WINDOW.toMillis());
    }
}
