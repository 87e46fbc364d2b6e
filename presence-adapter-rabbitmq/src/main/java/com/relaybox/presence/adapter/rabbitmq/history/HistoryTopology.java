package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.Channel;

import java.io.IOException;
import java.util.Map;

/** The queues of the history path. */
final class HistoryTopology {
    private HistoryTopology() {
    }

    /**
     * Declares the history queue and its dead-letter queue, durable, of the configured type. Idempotent:
     * declaring them again with the same arguments changes nothing.
     */
    static void declare(Channel channel, HistoryQueueSettings settings) throws IOException {
        String type = settings.queueType().argument();
        channel.queueDeclare(settings.deadLetterQueue(), true, false, false, Map.of("x-queue-type", type));
        channel.queueDeclare(settings.queue(), true, false, false, Map.of(
                "x-queue-type", type,
                "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", settings.deadLetterQueue()));
    }
}
