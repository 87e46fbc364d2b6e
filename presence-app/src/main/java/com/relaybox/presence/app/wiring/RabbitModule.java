package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.rabbitmq.AmqpEndpoint;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.QueueType;
import com.relaybox.presence.adapter.rabbitmq.RabbitBroadcaster;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.RabbitHistoryOutbox;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.config.JobConfig;
import com.relaybox.presence.app.http.JobIntake;
import com.relaybox.presence.app.http.PublishingIntake;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.Objects;

/**
 * RabbitMQ (services mode): the shard queue consumers, the broadcaster, the job publisher behind
 * {@code POST /v1/jobs}, and the history outbox (records wait there, durably, for PostgreSQL).
 */
public final class RabbitModule extends AbstractModule {
    /**
     * How long the consumers may take to finish their batches at shutdown: inside the service's
     * 10 s, after HTTP has stopped and before the connections close.
     */
    static final Duration CONSUMER_SHUTDOWN = Duration.ofSeconds(6);

    private final AmqpEndpoint rabbit;

    public RabbitModule(AmqpEndpoint rabbit) {
        this.rabbit = Objects.requireNonNull(rabbit, "rabbit");
    }

    @Provides
    @Singleton
    RabbitSettings settings(JobConfig jobs) {
        return RabbitSettings.of(rabbit)
                .withQueueCount(jobs.queueCount())
                .withQueueType(QueueType.parse(jobs.queueType().wireName()))
                .withBatching(jobs.batchSize(), jobs.prefetch(), jobs.batchWait())
                .withShutdownTimeout(CONSUMER_SHUTDOWN);
    }

    @Provides
    @Singleton
    RabbitBroadcaster broadcaster(RabbitSettings settings) {
        return new RabbitBroadcaster(settings);
    }

    @Provides
    @Adapter
    PresenceBroadcaster broadcasterPort(RabbitBroadcaster broadcaster) {
        return broadcaster;
    }

    @ProvidesIntoSet
    Managed broadcasterPart(RabbitBroadcaster broadcaster) {
        return Managed.closing("broadcaster", Managed.Phase.CONNECTIONS, broadcaster);
    }

    @Provides
    @Singleton
    PresenceJobPublisher publisher(RabbitSettings settings) {
        return new PresenceJobPublisher(settings);
    }

    @ProvidesIntoSet
    Managed publisherPart(PresenceJobPublisher publisher) {
        return Managed.closing("job-publisher", Managed.Phase.CONNECTIONS, publisher);
    }

    @Provides
    @Singleton
    JobIntake intake(JobParser parser, PresenceJobPublisher publisher) {
        return new PublishingIntake(parser, publisher);
    }

    @Provides
    @Singleton
    JobConsumers consumers(RabbitSettings settings, ProcessJobs jobs, MeterRegistry registry) {
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

    @Provides
    @Singleton
    HistoryQueueSettings historyQueue(RabbitSettings settings) {
        return new HistoryQueueSettings(settings, HistoryQueueSettings.DEFAULT_QUEUE);
    }

    @Provides
    @Singleton
    RabbitHistoryOutbox outbox(HistoryQueueSettings queue) {
        return new RabbitHistoryOutbox(queue);
    }

    @Provides
    @Adapter
    HistoryRecorder outboxPort(RabbitHistoryOutbox outbox) {
        return outbox;
    }

    @ProvidesIntoSet
    Managed outboxPart(RabbitHistoryOutbox outbox) {
        return Managed.closing("history-outbox", Managed.Phase.CONNECTIONS, outbox);
    }
}
