package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Keeps what a consumer told its observer. */
final class RecordingObserver implements JobConsumerObserver {
    final AtomicInteger jobs = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger latencies = new AtomicInteger();
    final AtomicLong maxBatch = new AtomicLong();
    final List<Long> backoffs = new ArrayList<>();
    final List<Outcome> outcomes = new ArrayList<>();

    @Override
    public synchronized void batchProcessed(int shard, List<RawJob> batch, List<Outcome> batchOutcomes, long processingNanos) {
        if (batch.size() != batchOutcomes.size()) throw new AssertionError("one outcome per job");
        jobs.addAndGet(batch.size());
        batches.incrementAndGet();
        maxBatch.accumulateAndGet(batch.size(), Math::max);
        outcomes.addAll(batchOutcomes);
    }

    @Override
    public synchronized void retrying(int shard, Throwable cause, long backoffMillis) {
        backoffs.add(backoffMillis);
    }

    @Override
    public void jobLatency(int shard, long millis) {
        latencies.incrementAndGet();
    }

    synchronized List<Long> backoffs() {
        return List.copyOf(backoffs);
    }

    synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }
}
