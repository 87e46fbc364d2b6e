package com.relaybox.presence.adapter.rabbitmq.history;

import com.relaybox.presence.core.contract.Fixtures;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Distinct history records for the tests. */
final class Records {
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");

    private Records() {
    }

    static List<HistoryRecord> batch(String prefix, int count) {
        NspRoomId room = new NspRoomId("app1", "chat:" + prefix);
        List<HistoryRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
            records.add(Fixtures.record(prefix + "-job-" + i, 0, room, "c" + i, EventType.JOIN, "{\"i\":" + i + "}",
                    T0.plusMillis(i)));
        return records;
    }
}
