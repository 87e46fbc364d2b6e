package com.relaybox.presence.app.metrics;

import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Counts broadcasts confirmed and failed, and times how long a list takes to be confirmed. */
public final class MeteredBroadcaster implements PresenceBroadcaster {
    private final PresenceBroadcaster delegate;
    private final Counter confirmed;
    private final Counter failed;
    private final Timer confirmTime;

    public MeteredBroadcaster(PresenceBroadcaster delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        confirmed = Counter.builder("presence.broadcasts").description("Broadcast events, by result")
                .tag("result", "confirmed").register(registry);
        failed = Counter.builder("presence.broadcasts").description("Broadcast events, by result")
                .tag("result", "failed").register(registry);
        confirmTime = Timer.builder("presence.broadcast.confirm")
                .description("Time from sending a batch of broadcasts to their confirmation")
                .serviceLevelObjectives(Buckets.PROCESSING)
                .register(registry);
    }

    @Override
    public CompletableFuture<Void> broadcast(List<PresenceEvent> events, Fence fence) {
        long start = System.nanoTime();
        CompletableFuture<Void> sent = delegate.broadcast(events, fence);
        sent.whenComplete((ok, failure) -> {
            if (failure != null) {
                failed.increment(events.size());
                return;
            }
            confirmTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            confirmed.increment(events.size());
        });
        return sent;
    }
}
