package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Data in Redis that this service did not write: a clear {@link CorruptStateException} naming the
 * key, for that room or connection only; nothing of the failing job changes, and every other room
 * keeps working.
 */
class CorruptStateIT {
    private final String app = RedisKeyspace.newApp();
    private final TestJobs jobs = new TestJobs(app);
    @RegisterExtension
    final RedisKeyspace redis = RedisKeyspace.cleaningUp(app);
    private final RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings());

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aMemberValueThatIsNotJsonFailsReadsOfThatRoomOnly() {
        NspRoomId bad = jobs.room("bad");
        redis.jedis.hset("presence:" + bad + ":members", app + ":c1", "not json {");
        redis.jedis.lpush("presence:" + bad + ":index", app + ":c1");

        assertThatThrownBy(() -> store.memberPage(bad, 0, 10))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("presence:" + bad + ":members")
                .hasMessageContaining(app + ":c1");
        assertThat(store.count(bad)).isEqualTo(1);
        assertThat(store.isMember(bad, jobs.connection("c1"))).isTrue();
        assertSomeOtherRoomWorks();
    }

    @Test
    void anIndexEntryWithoutItsMemberFailsReadsOfThatRoom() {
        NspRoomId bad = jobs.room("bad");
        redis.jedis.lpush("presence:" + bad + ":index", app + ":ghost");

        assertThatThrownBy(() -> store.memberPage(bad, 0, 10))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("presence:" + bad + ":index")
                .hasMessageContaining(app + ":ghost");
        assertSomeOtherRoomWorks();
    }

    @Test
    void aRoomKeyOfTheWrongTypeFailsEveryJobAndReadOfThatRoomAndChangesNothing() {
        NspRoomId bad = jobs.room("bad");
        String index = "presence:" + bad + ":index";
        redis.jedis.set(index, "oops");
        StoreCommand join = jobs.join("bad", "c1");

        assertThatThrownBy(() -> store.apply(List.of(join)))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining(index + " is a string, not a list");
        assertThat(redis.keys("*" + app + "*")).as("no half-applied join, no job record").containsExactly(index);
        assertThatThrownBy(() -> store.count(bad)).isInstanceOf(CorruptStateException.class).hasMessageContaining(index);
        assertThatThrownBy(() -> store.memberPage(bad, 0, 5)).isInstanceOf(CorruptStateException.class).hasMessageContaining(index);
        assertSomeOtherRoomWorks();

        redis.jedis.del(index);
        assertThat(store.apply(List.of(join)).get(0))
                .as("the failed job was not remembered: once repaired it applies")
                .isEqualTo(StoreResult.changed(List.of(bad), join.timestamp()));
    }

    @Test
    void aBatchWithOneCorruptRoomAppliesTheOthersAndSaysSo() {
        redis.jedis.set("presence:" + jobs.room("bad") + ":members", "oops");
        List<StoreCommand> batch = List.of(jobs.join("good", "c1"), jobs.join("bad", "c2"), jobs.join("good", "c3"));

        assertThatThrownBy(() -> store.apply(batch))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("presence:" + jobs.room("bad") + ":members is a string, not a hash")
                .hasMessageContaining("2 of the batch's 3 commands were applied");
        assertThat(store.count(jobs.room("good"))).isEqualTo(2);

        redis.jedis.del("presence:" + jobs.room("bad") + ":members");
        List<StoreResult> retried = store.apply(batch);
        assertThat(retried).extracting(StoreResult::repeat).containsExactly(true, false, true);
        assertThat(retried).extracting(StoreResult::effect).containsOnly(StoreResult.Effect.CHANGED);
        assertThat(Invariants.violations(redis.snapshot(app))).isEmpty();
    }

    @Test
    void aDisconnectThroughACorruptRoomChangesNothing() {
        store.apply(List.of(jobs.join("good", "c1"), jobs.join("other", "c1")));
        // c1 is a member of "bad" as far as its hash and the presence-sets say, but the index is no list.
        redis.jedis.hset("connection:" + app + ":c1:presence-sets", jobs.room("bad").toString(), "1");
        redis.jedis.hset("presence:" + jobs.room("bad") + ":members", app + ":c1", "{}");
        redis.jedis.set("presence:" + jobs.room("bad") + ":index", "oops");

        assertThatThrownBy(() -> store.apply(List.of(jobs.disconnect("c1"))))
                .isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("presence:" + jobs.room("bad") + ":index");
        assertThat(store.isMember(jobs.room("good"), jobs.connection("c1"))).isTrue();
        assertThat(store.isMember(jobs.room("bad"), jobs.connection("c1"))).isTrue();
        assertThat(store.rooms(jobs.connection("c1"))).hasSize(3);
        assertThat(redis.jedis.exists("presence-tombstone:" + app + ":c1")).as("no tombstone either").isFalse();
    }

    @Test
    void aPresenceSetsKeyOfTheWrongTypeOrNamingNoRoomFailsThatConnection() {
        redis.jedis.lpush("connection:" + app + ":c1:presence-sets", "x");
        redis.jedis.hset("connection:" + app + ":c2:presence-sets", "no-colon", "1");

        assertThatThrownBy(() -> store.apply(List.of(jobs.join("good", "c1"))))
                .isInstanceOf(CorruptStateException.class).hasMessageContaining("connection:" + app + ":c1:presence-sets");
        assertThatThrownBy(() -> store.apply(List.of(jobs.disconnect("c1"))))
                .isInstanceOf(CorruptStateException.class).hasMessageContaining("connection:" + app + ":c1:presence-sets");
        assertThatThrownBy(() -> store.rooms(jobs.connection("c1")))
                .isInstanceOf(CorruptStateException.class).hasMessageContaining("connection:" + app + ":c1:presence-sets");
        assertThatThrownBy(() -> store.rooms(jobs.connection("c2")))
                .isInstanceOf(CorruptStateException.class).hasMessageContaining("no-colon");
        assertSomeOtherRoomWorks();
    }

    @Test
    void aJobRecordThatIsNotOursFailsThatJob() {
        StoreCommand join = jobs.join("good", "c1");
        redis.jedis.set("presence-job:" + join.jobId(), "garbage");
        StoreCommand leave = jobs.leave("good", "c1");
        redis.jedis.hset("presence-job:" + leave.jobId(), "x", "y");

        assertThatThrownBy(() -> store.apply(List.of(join)))
                .isInstanceOf(CorruptStateException.class).hasMessageContaining("presence-job:" + join.jobId());
        assertThatThrownBy(() -> store.apply(List.of(leave)))
                .isInstanceOf(CorruptStateException.class).hasMessageContaining("presence-job:" + leave.jobId());
        assertSomeOtherRoomWorks();
    }

    private void assertSomeOtherRoomWorks() {
        StoreCommand join = jobs.join("fine", "someone");
        assertThat(store.apply(List.of(join)).get(0).effect()).isEqualTo(StoreResult.Effect.CHANGED);
        assertThat(store.memberPage(jobs.room("fine"), 0, 10)).hasSize(1);
        assertThat(store.problem()).isEmpty();
    }
}
