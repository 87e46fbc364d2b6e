package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;

/** One instance of the presence service as the app wires it, on this adapter, with the given store. */
final class PresenceService implements AutoCloseable {
    final RabbitBroadcaster broadcaster;
    final RabbitJobConsumer consumer;

    PresenceService(RabbitSettings settings, PresenceStore store, HistoryRecorder history, int maxDataBytes,
                    JobConsumerObserver observer) {
        broadcaster = new RabbitBroadcaster(settings);
        try {
            PresenceJobs jobs = new PresenceJobs(new JobParser(maxDataBytes), store, broadcaster, history, TimeSource.system());
            consumer = RabbitJobConsumer.consume(settings, jobs, observer);
        } catch (RuntimeException e) {
            broadcaster.close();
            throw e;
        }
    }

    PresenceService(RabbitSettings settings, PresenceStore store, InMemoryHistory history) {
        this(settings, store, history, JobParser.DEFAULT_MAX_DATA_BYTES, JobConsumerObserver.NONE);
    }

    @Override
    public void close() {
        consumer.close();
        broadcaster.close();
    }
}
