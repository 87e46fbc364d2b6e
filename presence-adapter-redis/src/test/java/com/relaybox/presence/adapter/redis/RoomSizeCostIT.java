package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.testkit.PrivateRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a job costs Redis as the room grows, told by the commands it runs rather than by a clock: a
 * join of a new member runs no command that walks the room's index, however big the room. On a
 * redis-server of the test's own, so that no other client's commands count.
 */
class RoomSizeCostIT {
    /** The list commands that walk a list from one end: their cost grows with the room. */
    private static final Set<String> WALKING_THE_LIST = Set.of("lrem", "lpos", "lrange", "lindex", "lset", "linsert", "ltrim");

    private final TestJobs jobs = new TestJobs(RedisKeyspace.newApp());

    @Test
    void aJoinOfANewMemberDoesNotWalkTheIndexOfABigRoom() {
        try (PrivateRedis server = new PrivateRedis("--save", "", "--appendonly", "no").start();
             RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.settings(server.port));
             Jedis redis = server.client()) {
            for (int first = 0; first < 10_000; first += 500) {
                List<StoreCommand> members = new ArrayList<>();
                for (int i = first; i < first + 500; i++) members.add(jobs.join("big", "c" + i));
                store.apply(members);
            }
            redis.configResetStat();

            StoreResult join = store.apply(List.of(jobs.join("big", "newcomer"))).get(0);

            assertThat(join.effect()).isEqualTo(StoreResult.Effect.CHANGED);
            assertThat(listCommands(redis).keySet()).as("list commands run by the join")
                    .contains("lpush").doesNotContainAnyElementsOf(WALKING_THE_LIST);
            assertThat(redis.lindex("presence:" + jobs.room("big") + ":index", 0)).isEqualTo(jobs.connection("newcomer").value());
            assertThat(redis.llen("presence:" + jobs.room("big") + ":index")).isEqualTo(10_001);

            redis.configResetStat();
            store.apply(List.of(jobs.join("big", "c0"), jobs.leave("big", "c1"), jobs.disconnect("c2")));

            assertThat(listCommands(redis)).as("a rejoin, a leave and a disconnect each remove the member once")
                    .containsEntry("lrem", 3L);
        }
    }

    /** Calls of each command on a list since the last CONFIG RESETSTAT, commands run inside scripts included. */
    private static Map<String, Long> listCommands(Jedis redis) {
        Set<String> listCommands = new HashSet<>(WALKING_THE_LIST);
        listCommands.addAll(List.of("lpush", "rpush", "lpop", "rpop", "llen", "lmove"));
        Map<String, Long> calls = new TreeMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            String command = line.substring("cmdstat_".length(), line.indexOf(':'));
            if (!listCommands.contains(command)) continue;
            String count = line.substring(line.indexOf("calls=") + "calls=".length(), line.indexOf(','));
            calls.put(command, Long.parseLong(count));
        }
        return calls;
    }
}
