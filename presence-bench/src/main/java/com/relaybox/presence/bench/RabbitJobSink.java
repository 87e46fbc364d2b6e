package com.relaybox.presence.bench;

import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.core.port.out.Confirmations;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes generated jobs through the embedders' job publisher: to their shard queues,
 * persistent, confirmed. It does not wait for each batch's confirms before the next (as the
 * realtime service's many connections do not wait for one another); a confirm that fails stops
 * the run at the next publish. At most {@link #MAX_UNCONFIRMED_JOBS} jobs await their confirms.
 */
final class RabbitJobSink implements JobSink {
    /** As the broker-alone baseline: 5 PerfTest producers with at most 400 unconfirmed messages each. */
    static final int MAX_UNCONFIRMED_JOBS = 2_000;

    private final PresenceJobPublisher publisher;
    private final JobBodies bodies;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong unconfirmed = new AtomicLong();

    RabbitJobSink(String rabbitUri, int queueCount, JobBodies bodies) {
        this.publisher = new PresenceJobPublisher(RabbitSettings.of(rabbitUri).withQueueCount(queueCount)
                .withConnectionName("presence-bench"));
        this.bodies = bodies;
    }

    @Override
    public void publish(List<BenchJob> jobs) {
        Throwable failed = failure.get();
        if (failed != null) throw Confirmations.unwrap(failed);
        List<PresenceJobPublisher.Job> batch = new ArrayList<>(jobs.size());
        for (BenchJob job : jobs)
            // "bench-": the job memory it leaves behind can be told from anyone else's and deleted
            batch.add(new PresenceJobPublisher.Job(job.type(), bodies.body(job), "bench-" + UUID.randomUUID()));
        while (unconfirmed.get() + batch.size() > MAX_UNCONFIRMED_JOBS && unconfirmed.get() > 0 && failure.get() == null)
            LockSupport.parkNanos(50_000);
        unconfirmed.addAndGet(batch.size());
        CompletableFuture<Void> confirmed;
        try {
            confirmed = publisher.publishAllAsync(batch);
        } catch (RuntimeException e) {
            unconfirmed.addAndGet(-batch.size());
            throw e;
        }
        confirmed.whenComplete((ok, e) -> {
            if (e != null) failure.compareAndSet(null, e);
            unconfirmed.addAndGet(-batch.size());
        });
    }

    @Override
    public void awaitConfirms() {
        // Each batch's future fails by itself when its confirm does not come in time.
        while (unconfirmed.get() > 0 && failure.get() == null) LockSupport.parkNanos(100_000);
        Throwable failed = failure.get();
        if (failed != null) throw Confirmations.unwrap(failed);
    }

    @Override
    public void close() {
        publisher.close();
    }
}
