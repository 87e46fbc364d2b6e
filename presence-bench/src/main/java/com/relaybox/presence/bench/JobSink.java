package com.relaybox.presence.bench;

import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Publishes generated jobs through the embedders' job publisher: to their shard queues, persistent, confirmed. */
final class JobSink implements AutoCloseable {
    private final PresenceJobPublisher publisher;
    private final JobBodies bodies;

    JobSink(String rabbitUri, int queueCount, JobBodies bodies) {
        this.publisher = new PresenceJobPublisher(RabbitSettings.of(rabbitUri).withQueueCount(queueCount)
                .withConnectionName("presence-bench"));
        this.bodies = bodies;
    }

    /** Publishes the batch and returns once the broker confirmed all of it. */
    void publish(List<BenchJob> jobs) {
        List<PresenceJobPublisher.Job> batch = new ArrayList<>(jobs.size());
        for (BenchJob job : jobs)
            batch.add(new PresenceJobPublisher.Job(job.type(), bodies.body(job), UUID.randomUUID().toString()));
        publisher.publishAll(batch);
    }

    @Override
    public void close() {
        publisher.close();
    }
}
