package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.config.JobConfig;
import com.relaybox.presence.app.http.ApplyingIntake;
import com.relaybox.presence.app.http.JobIntake;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;

/** Embedded mode: core's in-memory store and history, broadcasts logged, jobs applied as HTTP hands them in. */
public final class EmbeddedModule extends AbstractModule {

    @Provides
    @Singleton
    @Adapter
    PresenceStore store(TimeSource clock, JobConfig jobs) {
        return new InMemoryPresenceStore(clock, jobs.disconnectTombstone(), jobs.jobIdMemory());
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
