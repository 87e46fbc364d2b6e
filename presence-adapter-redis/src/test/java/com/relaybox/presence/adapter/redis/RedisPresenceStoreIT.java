package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.contract.PresenceStoreContract;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.PresenceStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Core's store contract, unchanged, against the local Redis. */
class RedisPresenceStoreIT extends PresenceStoreContract {
    @RegisterExtension
    final RedisKeyspace redis = RedisKeyspace.cleaningUp(app);
    private final List<RedisPresenceStore> stores = new ArrayList<>();

    @Override
    protected PresenceStore newStore(Duration tombstone, JobMemory jobMemory) {
        RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings().withTombstone(tombstone)
                .withJobMemory(jobMemory)
                .withHeartbeatKey(RedisKeyspace.heartbeatKey(app)));
        stores.add(store);
        return store;
    }

    @Override
    protected PresenceSnapshot snapshot() {
        return redis.snapshot(app);
    }

    @Override
    protected void heartbeat(String connection, long millis) {
        redis.jedis.zadd(RedisKeyspace.heartbeatKey(app), millis, conn(connection));
    }

    @Override
    protected void removeHeartbeat(String connection) {
        redis.jedis.zrem(RedisKeyspace.heartbeatKey(app), conn(connection));
    }

    @AfterEach
    void close() {
        stores.forEach(RedisPresenceStore::close);
    }
}
