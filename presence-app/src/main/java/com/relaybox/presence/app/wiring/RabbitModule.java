package com.relaybox.presence.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitBroadcaster;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.history.HistoryQueueSettings;
import com.relaybox.presence.adapter.rabbitmq.history.RabbitHistoryOutbox;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.http.JobIntake;
import com.relaybox.presence.app.http.PublishingIntake;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;

import java.util.Objects;

/**
 * RabbitMQ (services mode): the broadcaster, the job publisher behind
 * {@code POST /v1/jobs}, and the history outbox (records wait there, durably, for PostgreSQL).
 * The shard queue consumers are {@link RabbitIntakeModule}'s.
 */
public final class RabbitModule extends AbstractModule {
    private final RabbitSettings settings;
    private final HistoryQueueSettings historyQueue;

    public RabbitModule(RabbitSettings settings, HistoryQueueSettings historyQueue) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.historyQueue = Objects.requireNonNull(historyQueue, "historyQueue");
    }

    @Provides
    @Singleton
    RabbitBroadcaster broadcaster() {
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
    PresenceJobPublisher publisher() {
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
    HistoryQueueSettings historyQueue() {
        return historyQueue;
    }

    @Provides
    @Singleton
    RabbitHistoryOutbox outbox() {
        return new RabbitHistoryOutbox(historyQueue);
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
