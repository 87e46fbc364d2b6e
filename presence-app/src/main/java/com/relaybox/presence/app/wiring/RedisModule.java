package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.redis.RedisPresenceStore;
import com.relaybox.presence.adapter.redis.RedisSettings;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.config.JobConfig;
import com.relaybox.presence.app.config.RedisConfig;
import com.relaybox.presence.app.config.Secret;
import com.relaybox.presence.core.port.out.PresenceStore;

import java.util.Objects;

/** The presence sets in Redis (services mode). */
public final class RedisModule extends AbstractModule {
    /** Connections beyond one per shard consumer, for the HTTP reads and the readiness check. */
    private static final int READ_CONNECTIONS = 8;

    private final RedisConfig redis;

    public RedisModule(RedisConfig redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    @Provides
    @Singleton
    RedisSettings settings(JobConfig jobs) {
        return new RedisSettings(redis.host(), redis.port(), redis.tls(), redis.password().map(Secret::reveal),
                jobs.queueCount() + READ_CONNECTIONS, RedisSettings.DEFAULT_TIMEOUT, jobs.disconnectTombstone(),
                jobs.jobIdMemory());
    }

    @Provides
    @Singleton
    RedisPresenceStore store(RedisSettings settings) {
        return new RedisPresenceStore(settings);
    }

    @Provides
    @Adapter
    PresenceStore port(RedisPresenceStore store) {
        return store;
    }

    @ProvidesIntoSet
    Managed lifecycle(RedisPresenceStore store) {
        return Managed.closing("redis", Managed.Phase.CONNECTIONS, store);
    }

    @ProvidesIntoSet
    HealthCheck health(RedisPresenceStore store) {
        String where = redis.host() + ":" + redis.port();
        return HealthCheck.of("redis", () -> store.ping() ? Health.up(where + " answers PING")
                : Health.down(where + " does not answer PING"));
    }
}
