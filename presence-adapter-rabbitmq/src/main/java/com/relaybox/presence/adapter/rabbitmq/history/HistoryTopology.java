package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.Channel;
import com.relaybox.presence.adapter.rabbitmq.internal.QueueDeclaration;

import java.io.IOException;
import java.util.Map;

/** The queues of the history path. */
final class HistoryTopology {
    private HistoryTopology() {
    }

    /**
     * Declares the history queue and its dead-letter queue, durable, of the configured type (and
     * initial group size, see {@link QueueDeclaration}). Idempotent: declaring them again with the
     * same arguments changes nothing.
     */
    static void declare(Channel channel, HistoryQueueSettings settings) throws IOException {
        String type = settings.queueType().argument();
        int groupSize = settings.rabbit().quorumInitialGroupSize();
        QueueDeclaration.declareDurable(channel.getConnection(), settings.deadLetterQueue(), Map.of("x-queue-type", type),
                groupSize);
        QueueDeclaration.declareDurable(channel.getConnection(), settings.queue(), Map.of(
                "x-queue-type", type,
                "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", settings.deadLetterQueue()), groupSize);
    }
}
