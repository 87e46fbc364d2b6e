package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/**
 * A room's recorded events with {@code from <= timestamp < to}, newest first; {@code limit}
 * defaults to {@value #DEFAULT_LIMIT} and may be at most {@value #MAX_LIMIT}.
 */
public interface GetRoomHistory {
    int DEFAULT_LIMIT = 100;
    int MAX_LIMIT = 1000;

    List<HistoryRecord> history(NspRoomId room, Instant from, Instant to, OptionalInt limit);
}
