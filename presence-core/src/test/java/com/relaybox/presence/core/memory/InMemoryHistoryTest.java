package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.contract.HistoryContract;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;

class InMemoryHistoryTest extends HistoryContract {
    private final InMemoryHistory history = new InMemoryHistory();

    @Override
    protected HistoryRecorder recorder() {
        return history;
    }

    @Override
    protected HistoryReader reader() {
        return history;
    }
}
