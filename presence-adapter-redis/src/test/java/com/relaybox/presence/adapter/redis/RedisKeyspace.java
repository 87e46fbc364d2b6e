package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.testkit.RedisKeys;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Raw access to one app's keys in a Redis, as RelayBox sees them: every test confines itself to
 * an app id of its own, reads what is there with plain commands and deletes it afterwards.
 */
final class RedisKeyspace implements AutoCloseable, AfterEachCallback {
    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    final Jedis jedis;
    private final String testApp;

    private RedisKeyspace(int port, String testApp) {
        this.jedis = new Jedis(HOST, port);
        this.testApp = testApp;
    }

    RedisKeyspace(int port) {
        this(port, null);
    }

    RedisKeyspace() {
        this(PORT);
    }

    /**
     * The shared Redis for a test of {@code app}: registered with {@code @RegisterExtension} in an
     * instance field, it deletes the app's keys and closes after each test.
     */
    static RedisKeyspace cleaningUp(String app) {
        return new RedisKeyspace(PORT, app);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            deleteApp(Objects.requireNonNull(testApp, "an extension is made by cleaningUp(app)"));
        } finally {
            close();
        }
    }

    /** Settings for the shared local Redis, as a test uses them. */
    static RedisSettings localSettings() {
        return settings(PORT);
    }

    static RedisSettings settings(int port) {
        return RedisSettings.of(HOST, port, false, Optional.empty(), 8);
    }

    /** A fresh app id: every key of a test carries it. */
    static String newApp() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /**
     * Everything RelayBox's keys hold for the app: {@code presence:<app>:*} room keys and
     * {@code connection:<app>:*} presence-sets. The store's own bookkeeping keys
     * ({@code presence-job:}, {@code presence-tombstone:}) match neither pattern.
     */
    PresenceSnapshot snapshot(String app) {
        Map<String, List<String>> indexes = new HashMap<>();
        Map<String, Map<String, String>> members = new HashMap<>();
        Map<String, Set<String>> presenceSets = new HashMap<>();
        for (String key : keys("presence:" + app + ":*")) {
            if (key.endsWith(":index")) {
                requireType(key, "list");
                indexes.put(between(key, "presence:", ":index"), jedis.lrange(key, 0, -1));
            } else if (key.endsWith(":members")) {
                requireType(key, "hash");
                members.put(between(key, "presence:", ":members"), jedis.hgetAll(key));
            } else {
                throw new IllegalStateException("a key RelayBox does not know: " + key);
            }
        }
        for (String key : keys("connection:" + app + ":*")) {
            if (!key.endsWith(":presence-sets")) throw new IllegalStateException("a key RelayBox does not know: " + key);
            requireType(key, "hash");
            Map<String, String> rooms = jedis.hgetAll(key);
            rooms.forEach((room, value) -> {
                if (!"1".equals(value)) throw new IllegalStateException(key + " field " + room + " is '" + value + "', not '1'");
            });
            presenceSets.put(between(key, "connection:", ":presence-sets"), new HashSet<>(rooms.keySet()));
        }
        return new PresenceSnapshot(indexes, members, presenceSets);
    }

    /** A heartbeat sorted set of the app's own, in place of RelayBox's {@code heartbeat:keepalive}. */
    static String heartbeatKey(String app) {
        return "heartbeat:" + app;
    }

    /** Deletes every key of the app, RelayBox's and the store's own (the sweeper's too). */
    void deleteApp(String app) {
        RedisKeys.deleteMatching(jedis, "presence:" + app + ":*", "connection:" + app + ":*",
                "presence-job:*" + app + "*", "presence-tombstone:" + app + ":*", "presence-fence:*" + app + "*");
        RedisKeys.delete(jedis, List.of(heartbeatKey(app), "presence-sweeper:" + heartbeatKey(app),
                "presence-unconfirmed:" + heartbeatKey(app)));
    }

    List<String> keys(String pattern) {
        return RedisKeys.scan(jedis, pattern);
    }

    private void requireType(String key, String type) {
        String actual = jedis.type(key);
        if (!type.equals(actual)) throw new IllegalStateException(key + " is a " + actual + ", not a " + type);
    }

    private static String between(String key, String prefix, String suffix) {
        return key.substring(prefix.length(), key.length() - suffix.length());
    }

    @Override
    public void close() {
        jedis.close();
    }
}
