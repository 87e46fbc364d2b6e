package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.relaybox.presence.adapter.rabbitmq.internal.QueueDeclaration;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** The names and declarations of CONTRACT §2 and §4. Every declaration is idempotent. */
final class Topology {
    static final String JOB_EXCHANGE = "ds.presence.durable";
    static final String DEAD_LETTER_EXCHANGE = "ds.presence.dlx";
    static final String DEAD_LETTER_QUEUE = "presence-dlq";
    static final String BROADCAST_EXCHANGE = "ds.rooms.durable";
    static final String ERROR_HEADER = "x-presence-error";

    private Topology() {
    }

    static String shardQueue(int shard) {
        return "presence-" + shard;
    }

    static Map<String, Object> shardQueueArguments(QueueType type) {
        return Map.of("x-single-active-consumer", true,
                "x-queue-type", type.argument(),
                "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE);
    }

    /**
     * Declares the jobs side: the job exchange, the N shard queues and their bindings, the
     * dead-letter exchange and queue; and the broadcast exchange.
     *
     * @throws IllegalStateException when an exchange or queue exists with other properties
     */
    static void declareAll(Connection connection, RabbitSettings settings) {
        declare(connection, settings, channel -> {
            exchange(channel, JOB_EXCHANGE, BuiltinExchangeType.DIRECT, "direct");
            exchange(channel, DEAD_LETTER_EXCHANGE, BuiltinExchangeType.FANOUT, "fanout");
            exchange(channel, BROADCAST_EXCHANGE, BuiltinExchangeType.TOPIC, "topic");
            int groupSize = settings.quorumInitialGroupSize();
            queue(channel, DEAD_LETTER_QUEUE, Map.of("x-queue-type", settings.queueType().argument()), groupSize,
                    "x-queue-type=" + settings.queueType().argument());
            channel.queueBind(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, "");
            Map<String, Object> arguments = shardQueueArguments(settings.queueType());
            String described = "x-queue-type=" + settings.queueType().argument()
                    + ", x-single-active-consumer=true, x-dead-letter-exchange=" + DEAD_LETTER_EXCHANGE;
            for (int shard = 0; shard < settings.queueCount(); shard++) {
                queue(channel, shardQueue(shard), arguments, groupSize, described);
                channel.queueBind(shardQueue(shard), JOB_EXCHANGE, Integer.toString(shard));
            }
        });
    }

    /** Declares only the broadcast exchange. */
    static void declareBroadcastExchange(Connection connection, RabbitSettings settings) {
        declare(connection, settings, channel -> exchange(channel, BROADCAST_EXCHANGE, BuiltinExchangeType.TOPIC, "topic"));
    }

    private interface Declarations {
        void run(Channel channel) throws IOException;
    }

    private static void declare(Connection connection, RabbitSettings settings, Declarations declarations) {
        Channel channel;
        try {
            channel = connection.createChannel();
        } catch (IOException | RuntimeException e) {
            throw new DependencyUnavailableException("cannot open a channel to declare the topology on "
                    + settings.endpoint() + ": " + RabbitConnections.describe(e), e);
        }
        try {
            declarations.run(channel);
        } catch (TopologyMismatch e) {
            throw new IllegalStateException(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new DependencyUnavailableException("cannot declare the topology on " + settings.endpoint() + ": "
                    + RabbitConnections.describe(e), e);
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | TimeoutException | RuntimeException ignored) {
                    // the connection is going or gone; nothing was left on this channel
                }
            }
        }
    }

    private static void exchange(Channel channel, String name, BuiltinExchangeType type, String typeName)
            throws IOException {
        try {
            channel.exchangeDeclare(name, type, true);
        } catch (IOException e) {
            throw refusedOr(e, "exchange '" + name + "'", "properties", "type " + typeName + ", durable");
        }
    }

    /** Declared on a channel of its own (see {@link QueueDeclaration}); the bindings go on {@code channel}. */
    private static void queue(Channel channel, String name, Map<String, Object> arguments, int initialGroupSize,
                              String described) throws IOException {
        try {
            QueueDeclaration.declareDurable(channel.getConnection(), name, arguments, initialGroupSize);
        } catch (IOException e) {
            throw refusedOr(e, "queue '" + name + "'", "arguments", "durable, " + described
                    + (initialGroupSize > 0 ? ", " + QueueDeclaration.INITIAL_GROUP_SIZE + "=" + initialGroupSize : ""));
        }
    }

    /**
     * A 406 PRECONDITION_FAILED (it exists with other properties) or a 403 ACCESS_REFUSED (this user
     * may not configure it) becomes a {@link TopologyMismatch}: configuration to fix, not a failure
     * to retry. Anything else is returned, to be rethrown.
     */
    private static IOException refusedOr(IOException e, String subject, String differing, String declared) {
        if (e.getCause() instanceof ShutdownSignalException signal
                && signal.getReason() instanceof AMQP.Channel.Close close) {
            if (close.getReplyCode() == AMQP.PRECONDITION_FAILED)
                throw new TopologyMismatch(subject + " already exists with other " + differing
                        + " than this service declares (" + declared + "); the broker says: " + close.getReplyText()
                        + ". Delete it (after draining it) or configure this service to match it.");
            if (close.getReplyCode() == AMQP.ACCESS_REFUSED)
                throw new TopologyMismatch("this user may not declare " + subject + "; the broker says: "
                        + close.getReplyText() + ". Grant it configure permission in the virtual host.");
        }
        return e;
    }

    private static final class TopologyMismatch extends RuntimeException {
        TopologyMismatch(String message) {
            super(message, null, false, false);
        }
    }
}
