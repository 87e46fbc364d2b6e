package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;

import java.util.List;

/** A room's recorded events (CONTRACT §5) that the query selects, newest first. */
public interface GetRoomHistory {

    List<HistoryRecord> history(NspRoomId room, HistoryQuery query);
}
