package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.contract.PresenceStoreContract;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;

import java.time.Duration;

class InMemoryPresenceStoreTest extends PresenceStoreContract {
    private InMemoryPresenceStore memory;

    @Override
    protected PresenceStore newStore(Duration tombstone) {
        memory = new InMemoryPresenceStore(TimeSource.system(), tombstone, InMemoryPresenceStore.DEFAULT_JOB_MEMORY);
        return memory;
    }

    @Override
    protected PresenceSnapshot snapshot() {
        return new PresenceSnapshot(memory.indexes(), memory.memberHashes(), memory.presenceSets());
    }
}
