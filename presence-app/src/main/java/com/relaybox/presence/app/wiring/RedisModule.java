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
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.PresenceStore;

import java.util.Objects;

/** The presence sets in Redis (services mode). */
public final class RedisModule extends AbstractModule {
    private final RedisSettings settings;

    public RedisModule(RedisSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Provides
    @Singleton
    RedisPresenceStore store() {
        return new RedisPresenceStore(settings);
    }

    @Provides
    @Adapter
    PresenceStore port(RedisPresenceStore store) {
        return store;
    }

    @Provides
    Liveness liveness(RedisPresenceStore store) {
        return store;
    }

    @ProvidesIntoSet
    Managed lifecycle(RedisPresenceStore store) {
        return Managed.closing("redis", Managed.Phase.CONNECTIONS, store);
    }

    @ProvidesIntoSet
    HealthCheck health(RedisPresenceStore store) {
        String where = settings.endpoint().describe();
        return HealthCheck.of("redis", () -> store.problem().map(problem -> Health.down(where + " " + problem))
                .orElse(Health.up(where + " answers PING")));
    }
}
