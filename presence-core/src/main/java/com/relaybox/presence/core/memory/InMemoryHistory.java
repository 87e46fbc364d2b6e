package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** History in this process's memory: each {@code (jobId, eventIndex)} kept once. */
public final class InMemoryHistory implements HistoryRecorder, HistoryReader {
    private final List<HistoryRecord> records = new ArrayList<>();
    private final Set<Key> keys = new HashSet<>();

    @Override
    public synchronized CompletableFuture<Void> record(List<HistoryRecord> batch) {
        for (HistoryRecord record : batch)
            if (keys.add(new Key(record.jobId(), record.eventIndex()))) records.add(record);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized List<HistoryRecord> history(NspRoomId room, Instant from, Instant to, int limit) {
        List<HistoryRecord> found = new ArrayList<>();
        for (int i = records.size() - 1; i >= 0; i--) {
            HistoryRecord record = records.get(i);
            if (record.room().equals(room) && !record.timestamp().isBefore(from) && record.timestamp().isBefore(to))
                found.add(record);
        }
        // Newest event time first; among equal times the later recorded first (the sort is stable).
        found.sort(Comparator.comparing(HistoryRecord::timestamp).reversed());
        return List.copyOf(found.subList(0, Math.min(limit, found.size())));
    }

    public synchronized List<HistoryRecord> all() {
        return List.copyOf(records);
    }

    private record Key(JobId jobId, int eventIndex) {
    }
}
