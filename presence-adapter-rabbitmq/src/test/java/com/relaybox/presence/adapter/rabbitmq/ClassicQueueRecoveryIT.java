package com.relaybox.presence.adapter.rabbitmq;

/** The same hand-overs and failures on classic queues, which put unacknowledged messages back differently. */
class ClassicQueueRecoveryIT extends ConsumerRecoveryIT {
    @Override
    RabbitSettings settings() {
        return TestSettings.of(broker).withQueueType(QueueType.CLASSIC);
    }
}
