package com.relaybox.presence.testkit;

import redis.clients.jedis.commands.KeyCommands;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.List;

/** Keys of a Redis that others share: found by SCAN (KEYS would block the server), deleted a few hundred at a time. */
public final class RedisKeys {
    private static final int PER_CALL = 500;

    private RedisKeys() {
    }

    /** Every key matching the glob pattern. */
    public static List<String> scan(KeyCommands redis, String pattern) {
        List<String> keys = new ArrayList<>();
        ScanParams params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    public static void delete(KeyCommands redis, List<String> keys) {
        for (int i = 0; i < keys.size(); i += PER_CALL)
            redis.unlink(keys.subList(i, Math.min(keys.size(), i + PER_CALL)).toArray(String[]::new));
    }

    /** Deletes every key matching any of the glob patterns. */
    public static void deleteMatching(KeyCommands redis, String... patterns) {
        for (String pattern : patterns) delete(redis, scan(redis, pattern));
    }
}
