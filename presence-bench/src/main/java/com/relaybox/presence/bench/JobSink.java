package com.relaybox.presence.bench;

import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Shard;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes generated jobs through the embedders' job publisher: to their shard queues,
 * persistent, confirmed. As a realtime service does, it does not stop generating while the
 * broker confirms: each shard has a publishing thread of its own, so a room's jobs keep their
 * order and a confirm wait on one shard delays nothing else.
 */
final class JobSink implements AutoCloseable {
    private final PresenceJobPublisher publisher;
    private final JobBodies bodies;
    private final int queueCount;
    private final List<ExecutorService> shards = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    JobSink(String rabbitUri, int queueCount, JobBodies bodies) {
        this.publisher = new PresenceJobPublisher(RabbitSettings.of(rabbitUri).withQueueCount(queueCount)
                .withConnectionName("presence-bench"));
        this.bodies = bodies;
        this.queueCount = queueCount;
        for (int shard = 0; shard < queueCount; shard++) {
            String name = "bench-publisher-" + shard;
            shards.add(Executors.newSingleThreadExecutor(task -> new Thread(task, name)));
        }
    }

    /** Hands the jobs to their shards' publishing threads; a failure of an earlier publish is thrown here. */
    void publish(List<BenchJob> jobs) {
        RuntimeException failed = failure.get();
        if (failed != null) throw failed;
        List<List<PresenceJobPublisher.Job>> byShard = new ArrayList<>();
        for (int shard = 0; shard < queueCount; shard++) byShard.add(new ArrayList<>());
        for (BenchJob job : jobs) {
            int shard = Shard.of(NspRoomId.parse(bodies.room(job.room())), queueCount);
            byShard.get(shard).add(new PresenceJobPublisher.Job(job.type(), bodies.body(job), UUID.randomUUID().toString()));
        }
        for (int shard = 0; shard < queueCount; shard++) {
            List<PresenceJobPublisher.Job> batch = byShard.get(shard);
            if (batch.isEmpty()) continue;
            shards.get(shard).execute(() -> {
                try {
                    publisher.publishAll(batch);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
    }

    /** Waits for every job handed over to be confirmed, then closes the publisher. */
    @Override
    public void close() throws InterruptedException {
        for (ExecutorService shard : shards) shard.shutdown();
        for (ExecutorService shard : shards) shard.awaitTermination(1, TimeUnit.MINUTES);
        publisher.close();
        RuntimeException failed = failure.get();
        if (failed != null) throw failed;
    }
}
