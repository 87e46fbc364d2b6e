package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.bullmq.BullMqSettings;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.core.port.in.ProcessJobs;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;

/** The BullMQ intake (PRESENCE_INTAKES names bullmq): RelayBox's {@code queue:presence} in the presence Redis. */
public final class BullMqModule extends AbstractModule {
    private final BullMqSettings settings;

    public BullMqModule(BullMqSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Provides
    @Singleton
    BullMqConsumer consumer(ProcessJobs jobs, MeterRegistry registry) {
        return new BullMqConsumer(settings, jobs, registry);
    }

    @ProvidesIntoSet
    Managed part(BullMqConsumer consumer) {
        return consumer;
    }

    @ProvidesIntoSet
    HealthCheck health(BullMqConsumer consumer) {
        return HealthCheck.of("bullmq", consumer::health);
    }
}
