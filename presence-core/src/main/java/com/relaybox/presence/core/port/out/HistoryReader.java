package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;

import java.time.Instant;
import java.util.List;

/** Reads what {@link HistoryRecorder} kept. */
public interface HistoryReader {

    /** The room's records with {@code from <= timestamp < to}, newest first, at most {@code limit}. */
    List<HistoryRecord> history(NspRoomId room, Instant from, Instant to, int limit);
}
