package com.relaybox.presence.bench;

import com.relaybox.presence.core.contract.Invariants;
import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.testkit.RedisKeys;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads every key of the run's app and checks CONTRACT §3's invariants and the generator's model. */
final class RedisCheck {
    record Result(int rooms, int keys, List<String> violations) {
    }

    static Result check(String host, int port, JobBodies bodies, PresenceModel model, boolean delete) {
        try (Jedis jedis = new Jedis(host, port)) {
            String app = bodies.app();
            List<String> keys = new ArrayList<>();
            keys.addAll(RedisKeys.scan(jedis, "presence:" + app + ":*"));
            keys.addAll(RedisKeys.scan(jedis, "connection:" + app + ":*"));

            Map<String, List<String>> indexes = new HashMap<>();
            Map<String, Map<String, String>> members = new HashMap<>();
            Map<String, Set<String>> presenceSets = new HashMap<>();
            for (String key : keys) {
                if (key.startsWith("presence:") && key.endsWith(":index"))
                    indexes.put(key.substring(9, key.length() - 6), jedis.lrange(key, 0, -1));
                else if (key.startsWith("presence:") && key.endsWith(":members"))
                    members.put(key.substring(9, key.length() - 8), jedis.hgetAll(key));
                else if (key.startsWith("connection:") && key.endsWith(":presence-sets"))
                    presenceSets.put(key.substring(11, key.length() - 14), new HashSet<>(jedis.hkeys(key)));
            }
            List<String> violations = new ArrayList<>(Invariants.violations(new PresenceSnapshot(indexes, members, presenceSets)));

            Map<String, Set<String>> expected = new HashMap<>();
            model.membersByRoom().forEach((room, connections) -> {
                Set<String> ids = new HashSet<>();
                connections.forEach(c -> ids.add(bodies.connection(c)));
                expected.put(bodies.room(room), ids);
            });
            Set<String> rooms = new HashSet<>(expected.keySet());
            rooms.addAll(members.keySet());
            for (String room : rooms) {
                Set<String> want = expected.getOrDefault(room, Set.of());
                Set<String> have = members.getOrDefault(room, Map.of()).keySet();
                if (!want.equals(have))
                    violations.add(room + ": the generator's model has " + want.size() + " members, Redis " + have.size());
            }
            if (delete) RedisKeys.delete(jedis, keys);
            return new Result(members.size(), keys.size(), violations);
        }
    }
}
