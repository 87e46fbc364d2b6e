package com.relaybox.presence.core.service;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.in.GetRoomHistory;
import com.relaybox.presence.core.port.in.HistoryQuery;
import com.relaybox.presence.core.port.out.HistoryReader;

import java.util.List;
import java.util.Objects;

/** A room's history over a time range (CONTRACT §5); the query has checked its own rules. */
public final class RoomHistory implements GetRoomHistory {
    private final HistoryReader reader;

    public RoomHistory(HistoryReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public List<HistoryRecord> history(NspRoomId room, HistoryQuery query) {
        return reader.history(room, query.from(), query.to(), query.limit());
    }
}
