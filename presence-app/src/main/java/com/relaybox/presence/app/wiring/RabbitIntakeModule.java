package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.core.port.in.ProcessJobs;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Objects;

/** The RabbitMQ intake (PRESENCE_INTAKES names rabbitmq): the shard queue consumers. */
public final class RabbitIntakeModule extends AbstractModule {
    private final RabbitSettings settings;

    public RabbitIntakeModule(RabbitSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Provides
    @Singleton
    JobConsumers consumers(ProcessJobs jobs, MeterRegistry registry) {
        return new JobConsumers(settings, jobs, registry);
    }

    @ProvidesIntoSet
    Managed consumersPart(JobConsumers consumers) {
        return consumers;
    }

    @ProvidesIntoSet
    HealthCheck consumersHealth(JobConsumers consumers) {
        return HealthCheck.of("consumers", consumers::running);
    }

    @ProvidesIntoSet
    HealthCheck brokerHealth(JobConsumers consumers) {
        return HealthCheck.of("rabbitmq", consumers::broker);
    }
}
