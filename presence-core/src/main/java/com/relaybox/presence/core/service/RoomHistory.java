package com.relaybox.presence.core.service;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.in.GetRoomHistory;
import com.relaybox.presence.core.port.out.HistoryReader;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/** A room's history over a time range (CONTRACT §5). */
public final class RoomHistory implements GetRoomHistory {
    private final HistoryReader reader;

    public RoomHistory(HistoryReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public List<HistoryRecord> history(NspRoomId room, Instant from, Instant to, OptionalInt limit) {
        int n = limit.orElse(DEFAULT_LIMIT);
        if (n < 1 || n > MAX_LIMIT)
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + n);
        if (!from.isBefore(to))
            throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
        return reader.history(room, from, to, n);
    }
}
