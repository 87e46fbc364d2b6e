package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.contract.PresenceStoreContract;
import com.relaybox.presence.core.port.out.PresenceStore;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Core's store contract, unchanged, against the local Redis. */
class RedisPresenceStoreIT extends PresenceStoreContract {
    private final RedisKeyspace redis = new RedisKeyspace();
    private final List<RedisPresenceStore> stores = new ArrayList<>();

    @Override
    protected PresenceStore newStore(Duration tombstone) {
        RedisPresenceStore store = new RedisPresenceStore(RedisKeyspace.localSettings().withTombstone(tombstone));
        stores.add(store);
        return store;
    }

    @Override
    protected PresenceSnapshot snapshot() {
        return redis.snapshot(app);
    }

    @AfterEach
    void deleteKeysAndClose() {
        try {
            redis.deleteApp(app);
        } finally {
            stores.forEach(RedisPresenceStore::close);
            redis.close();
        }
    }
}
