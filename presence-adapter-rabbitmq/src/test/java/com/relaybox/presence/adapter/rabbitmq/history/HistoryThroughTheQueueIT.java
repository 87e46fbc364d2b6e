package com.relaybox.presence.adapter.rabbitmq.history;

import com.relaybox.presence.adapter.rabbitmq.TestSettings;
import com.relaybox.presence.core.contract.HistoryContract;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recorder production uses, {@link RabbitHistoryOutbox}, keeps the history contract: what it
 * confirms goes through the durable queue and the {@link HistoryWriter} into a store, and reads back
 * there once the writer has written as many records as the outbox was given.
 */
class HistoryThroughTheQueueIT extends HistoryContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("history-contract");
    private final InMemoryHistory store = new InMemoryHistory();
    private final AtomicLong recorded = new AtomicLong();
    private RabbitHistoryOutbox outbox;
    private HistoryWriter writer;

    @BeforeEach
    void start() {
        HistoryQueueSettings queue = new HistoryQueueSettings(TestSettings.of(broker).withConfirmTimeout(Duration.ofSeconds(5)),
                "history-" + UUID.randomUUID());
        outbox = new RabbitHistoryOutbox(queue);
        writer = new HistoryWriter(queue, HistoryWriterSettings.defaults().withBatch(1_000, Duration.ZERO), store);
    }

    @AfterEach
    void stop() {
        outbox.close();
        writer.close();
    }

    /** The outbox, counting what it was given so that the reader knows what to wait for. */
    @Override
    protected HistoryRecorder recorder() {
        return records -> {
            recorded.addAndGet(records.size());
            return outbox.record(records);
        };
    }

    @Override
    protected HistoryReader reader() {
        return new HistoryReader() {
            @Override
            public List<HistoryRecord> history(NspRoomId room, Instant from, Instant to, int limit) {
                if (!Poll.until(WAIT, () -> writer.status().recordsWritten() >= recorded.get()))
                    throw new AssertionError("the history writer did not catch up within " + WAIT);
                return store.history(room, from, to, limit);
            }
        };
    }
}
