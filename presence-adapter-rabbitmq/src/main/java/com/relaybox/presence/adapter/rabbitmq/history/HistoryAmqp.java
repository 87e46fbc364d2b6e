package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** The connection and the queues of the history path. */
final class HistoryAmqp {
    private HistoryAmqp() {
    }

    /** A connection that recovers by itself (channels, consumers, declared queues) after the broker comes back. */
    static Connection open(HistoryQueueSettings settings, String role) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(settings.amqpUri());
        } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the history queue's broker URI is not usable: " + e.getMessage(), e);
        }
        if (settings.amqpUri().startsWith("amqps://")) factory.enableHostnameVerification();
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(1_000);
        factory.setRequestedHeartbeat(20);
        factory.setConnectionTimeout(10_000);
        try {
            return factory.newConnection("presence-" + role);
        } catch (IOException | TimeoutException e) {
            throw new DependencyUnavailableException("RabbitMQ unreachable for the history " + role + ": " + e.getMessage(), e);
        }
    }

    /**
     * Declares the history queue and its dead-letter queue, durable, of the configured type. Idempotent:
     * declaring them again with the same arguments changes nothing.
     */
    static void declare(Channel channel, HistoryQueueSettings settings) throws IOException {
        channel.queueDeclare(settings.deadLetterQueue(), true, false, false, Map.of("x-queue-type", settings.queueType()));
        channel.queueDeclare(settings.queue(), true, false, false, Map.of(
                "x-queue-type", settings.queueType(),
                "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", settings.deadLetterQueue()));
    }
}
