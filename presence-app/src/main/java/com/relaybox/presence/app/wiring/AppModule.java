package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.app.BuildInfo;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Lifecycle;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.config.Config;
import com.relaybox.presence.app.config.HttpConfig;
import com.relaybox.presence.app.config.JobConfig;
import com.relaybox.presence.app.http.Api;
import com.relaybox.presence.app.http.ApiServer;
import com.relaybox.presence.app.http.HeartbeatIntake;
import com.relaybox.presence.app.http.JobIntake;
import com.relaybox.presence.app.metrics.MeteredBroadcaster;
import com.relaybox.presence.app.metrics.MeteredHistoryRecorder;
import com.relaybox.presence.app.metrics.MeteredProcessJobs;
import com.relaybox.presence.app.metrics.Metrics;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.port.in.GetRoomHistory;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.core.service.PresenceReads;
import com.relaybox.presence.core.service.RoomHistory;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every mode shares: configuration, metrics, the core use cases over the adapters' ports
 * (wrapped in metered decorators), the HTTP API and the lifecycle.
 */
public final class AppModule extends AbstractModule {
    /** Envelope room around {@code message.data} in a {@code POST /v1/jobs} body. */
    private static final int ENVELOPE_BYTES = 256 * 1024;

    private final Config config;

    public AppModule(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Managed.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class);
        OptionalBinder.newOptionalBinder(binder(), HeartbeatIntake.class);
    }

    @Provides
    Config config() {
        return config;
    }

    @Provides
    HttpConfig http() {
        return config.http();
    }

    @Provides
    JobConfig jobs() {
        return config.jobs();
    }

    @Provides
    @Singleton
    Metrics metrics() {
        BuildInfo build = BuildInfo.current();
        return new Metrics(build.version(), build.commit());
    }

    @Provides
    MeterRegistry registry(Metrics metrics) {
        return metrics.registry();
    }

    @Provides
    @Singleton
    TimeSource clock() {
        return TimeSource.system();
    }

    @Provides
    @Singleton
    JobParser parser(JobConfig jobs) {
        return new JobParser(jobs.maxDataBytes());
    }

    @Provides
    @Singleton
    PresenceBroadcaster broadcaster(@Adapter PresenceBroadcaster broadcaster, MeterRegistry registry) {
        return new MeteredBroadcaster(broadcaster, registry);
    }

    @Provides
    @Singleton
    HistoryRecorder recorder(@Adapter HistoryRecorder recorder, MeterRegistry registry) {
        return new MeteredHistoryRecorder(recorder, registry);
    }

    @Provides
    @Singleton
    PresenceJobs presenceJobs(JobParser parser, @Adapter PresenceStore store, PresenceBroadcaster broadcaster,
                              HistoryRecorder history, TimeSource clock) {
        return new PresenceJobs(parser, store, broadcaster, history, clock);
    }

    @Provides
    @Singleton
    ProcessJobs processJobs(PresenceJobs jobs, TimeSource clock, MeterRegistry registry) {
        return new MeteredProcessJobs(jobs, registry, clock);
    }

    @Provides
    @Singleton
    GhostSweeping ghostSweeping(Liveness liveness, PresenceJobs jobs, TimeSource clock, JobConfig config,
                                MeterRegistry registry) {
        return new GhostSweeping(liveness, jobs, clock, config.ghosts(), registry);
    }

    @ProvidesIntoSet
    Managed ghostSweeperPart(GhostSweeping sweeping) {
        return sweeping;
    }

    @Provides
    @Singleton
    PresenceReads reads(@Adapter PresenceStore store) {
        return new PresenceReads(store);
    }

    @Provides
    @Singleton
    GetRoomHistory history(HistoryReader reader) {
        return new RoomHistory(reader);
    }

    @Provides
    @Singleton
    Api api(PresenceReads reads, GetRoomHistory history, JobIntake intake, Optional<HeartbeatIntake> heartbeats,
            Metrics metrics, Set<HealthCheck> checks, HttpConfig http, JobConfig jobs) {
        ExecutorService healthExecutor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "health-check");
            thread.setDaemon(true);
            return thread;
        });
        return new Api(new Api.Ports(reads, reads, reads, history, intake, heartbeats), metrics, checks, http.apiToken(),
                jobs.maxDataBytes() + ENVELOPE_BYTES, healthExecutor);
    }

    @Provides
    @Singleton
    ApiServer apiServer(HttpConfig http, Api api) {
        return new ApiServer(http, api);
    }

    @ProvidesIntoSet
    Managed httpPart(ApiServer server) {
        return server;
    }

    @Provides
    @Singleton
    Lifecycle lifecycle(Set<Managed> parts) {
        return new Lifecycle(parts);
    }
}
