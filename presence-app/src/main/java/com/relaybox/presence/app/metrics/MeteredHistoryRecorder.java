package com.relaybox.presence.app.metrics;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Counts history records handed over durably, and those that failed (and will be retried). */
public final class MeteredHistoryRecorder implements HistoryRecorder {
    private final HistoryRecorder delegate;
    private final Counter recorded;
    private final Counter failed;

    public MeteredHistoryRecorder(HistoryRecorder delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        recorded = Counter.builder("presence.history.records").description("History records, by result")
                .tag("result", "recorded").register(registry);
        failed = Counter.builder("presence.history.records").description("History records, by result")
                .tag("result", "failed").register(registry);
    }

    @Override
    public CompletableFuture<Void> record(List<HistoryRecord> records) {
        CompletableFuture<Void> kept = delegate.record(records);
        kept.whenComplete((ok, failure) -> (failure == null ? recorded : failed).increment(records.size()));
        return kept;
    }
}
