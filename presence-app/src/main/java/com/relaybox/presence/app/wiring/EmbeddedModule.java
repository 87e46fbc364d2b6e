package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.config.JobConfig;
import com.relaybox.presence.app.http.ApplyingIntake;
import com.relaybox.presence.app.http.HeartbeatIntake;
import com.relaybox.presence.app.http.JobIntake;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;

import java.time.Instant;

/** Embedded mode: core's in-memory store and history, broadcasts logged, jobs applied as HTTP hands them in. */
public final class EmbeddedModule extends AbstractModule {

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), HeartbeatIntake.class).setBinding().to(MemoryHeartbeats.class);
    }

    @Provides
    @Singleton
    InMemoryPresenceStore memoryStore(TimeSource clock, JobConfig jobs) {
        return new InMemoryPresenceStore(clock, jobs.disconnectTombstone(), jobs.jobMemory());
    }

    @Provides
    @Adapter
    PresenceStore store(InMemoryPresenceStore store) {
        return store;
    }

    @Provides
    Liveness liveness(InMemoryPresenceStore store) {
        return store;
    }

    @Provides
    MemoryHeartbeats heartbeats(InMemoryPresenceStore store, TimeSource clock) {
        return new MemoryHeartbeats(store, clock);
    }

    /** Heartbeats over HTTP, recorded in the in-memory store with the service's clock. */
    record MemoryHeartbeats(InMemoryPresenceStore store, TimeSource clock) implements HeartbeatIntake {
        @Override
        public Instant heartbeat(ConnectionId connection) {
            Instant now = clock.now();
            store.heartbeat(connection, now);
            return now;
        }
    }

    @Provides
    @Singleton
    @Adapter
    PresenceBroadcaster broadcaster() {
        return new EmbeddedBroadcasts();
    }

    @Provides
    @Singleton
    InMemoryHistory memoryHistory() {
        return new InMemoryHistory();
    }

    @Provides
    @Adapter
    HistoryRecorder recorder(InMemoryHistory history) {
        return history;
    }

    @Provides
    HistoryReader reader(InMemoryHistory history) {
        return history;
    }

    @Provides
    @Singleton
    JobIntake intake(ProcessJobs jobs) {
        return new ApplyingIntake(jobs);
    }

    @ProvidesIntoSet
    HealthCheck memory() {
        return new HealthCheck() {
            @Override
            public String component() {
                return "memory";
            }

            @Override
            public Health check() {
                return Health.up("embedded mode: presence, broadcasts and history in this process's memory");
            }
        };
    }
}
