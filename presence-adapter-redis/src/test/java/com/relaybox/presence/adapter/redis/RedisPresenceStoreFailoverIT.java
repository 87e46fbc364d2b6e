package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.redis.RedisEndpoint;
import com.relaybox.presence.redis.RedisNode;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RedisSentinelGroup;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store on a Sentinel-named primary ({@link RedisSentinelGroup}): it follows a promotion with no
 * new store, loads its scripts on the promoted replica (which never had them), and with a replica
 * wait refuses to call a batch applied that no replica has.
 */
class RedisPresenceStoreFailoverIT {
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    private final TestJobs jobs = new TestJobs(RedisKeyspace.newApp());

    private static RedisSettings settings(RedisSentinelGroup group) {
        return RedisSettings.of(RedisEndpoint.sentinel(RedisSentinelGroup.MASTER_NAME,
                RedisNode.parseList(group.sentinelAddresses()), Optional.empty(), false, Optional.empty()), 4);
    }

    @Test
    void theStoreFollowsThePromotionAndLoadsItsScriptsOnTheNewPrimary() {
        try (RedisSentinelGroup group = RedisSentinelGroup.start();
             RedisPresenceStore store = new RedisPresenceStore(settings(group))) {
            StoreCommand.Join join = jobs.join("lobby", "c1");
            assertThat(store.apply(List.of(join)).get(0).effect()).isEqualTo(StoreResult.Effect.CHANGED);
            int replica = group.replicaPorts().get(0);
            try (Jedis onReplica = group.client(replica)) {
                Poll.await(FAILOVER, "the join on the replica", () -> onReplica.hlen("presence:" + join.room() + ":members") == 1);
                // What makes NOSCRIPT certain on the new primary: SCRIPT LOAD is not replicated.
                assertThat(onReplica.scriptExists(LuaScript.load("apply.lua").sha())).isFalse();
            }

            int formerPrimary = group.killPrimary();
            assertThatThrownBy(() -> store.apply(List.of(jobs.join("lobby", "c2"))))
                    .isInstanceOf(DependencyUnavailableException.class);
            assertThat(group.awaitPromotion(formerPrimary, FAILOVER)).isEqualTo(replica);

            StoreCommand.Update update = jobs.update("lobby", "c1");
            List<StoreResult> results = retried(() -> store.apply(List.of(update, jobs.join("lobby", "c3"))));
            assertThat(results).extracting(StoreResult::effect).containsExactly(StoreResult.Effect.CHANGED,
                    StoreResult.Effect.CHANGED);
            assertThat(store.apply(List.of(join)).get(0).repeat()).as("the replicated job memory").isTrue();
            assertThat(store.count(join.room())).isEqualTo(2);
            assertThat(store.problem()).isEmpty();
        }
    }

    @Test
    void waitingForAReplicaABatchNoReplicaHasFailsAndItsRetryIsARepeatOnceOneHasIt() {
        try (RedisSentinelGroup group = RedisSentinelGroup.start();
             RedisPresenceStore waiting = new RedisPresenceStore(settings(group)
                     .withReplicaWait(new RedisSettings.ReplicaWait(1, Duration.ofMillis(200))));
             RedisPresenceStore notWaiting = new RedisPresenceStore(settings(group))) {
            assertThat(waiting.apply(List.of(jobs.join("lobby", "c1"))).get(0).effect()).isEqualTo(StoreResult.Effect.CHANGED);
            int replica = group.replicaPorts().get(0);

            group.stallReplica(replica);
            try {
                List<StoreCommand> batch = List.of(jobs.join("lobby", "c2"), jobs.update("lobby", "c1"));
                assertThatThrownBy(() -> waiting.apply(batch)).isInstanceOf(DependencyUnavailableException.class)
                        .hasMessageContaining("has the batch on 0 of the 1 replicas asked for after 200 ms");
                // Without a wait the same primary answers at once: the replica's lag is not seen.
                assertThat(notWaiting.apply(List.of(jobs.join("lobby", "c3"))).get(0).effect())
                        .isEqualTo(StoreResult.Effect.CHANGED);
                group.resume(replica);
                List<StoreResult> retried = retried(() -> waiting.apply(batch));
                assertThat(retried).extracting(StoreResult::repeat).containsExactly(true, true);
            } finally {
                group.resume(replica);
            }
        }
    }

    /** The call, again while Redis is unavailable (the failover is not over), within the deadline. */
    private static <T> T retried(Supplier<T> call) {
        return Poll.until(FAILOVER, () -> {
            try {
                return call.get();
            } catch (DependencyUnavailableException e) {
                return null;
            }
        }, call);
    }
}
