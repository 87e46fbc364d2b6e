package com.relaybox.presence.adapter.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Declares a durable queue, with {@code x-quorum-initial-group-size} when one is configured, so
 * that a queue created now has that many replicas, without breaking deployments whose queues
 * exist already: the broker holds a redeclaration to every argument, this one too, although it
 * counts only when the queue is created. So when the broker refuses the declaration for that
 * argument alone, the queue is declared again with the group size it was created with (none, or
 * the number the broker names), which checks every other argument as before. Each attempt is on a
 * short-lived channel of its own, since a refusal closes the channel.
 *
 * <p>Public only so that the other packages of this module can use it; not part of the adapter's API.
 */
public final class QueueDeclaration {
    public static final String INITIAL_GROUP_SIZE = "x-quorum-initial-group-size";
    private static final Pattern GROUP_SIZE_REFUSED = Pattern.compile(
            "inequivalent arg '" + INITIAL_GROUP_SIZE + "'.*current is (none|(?:the value )?'(\\d+)')");

    private QueueDeclaration() {
    }

    /**
     * Declares {@code queue} durable with {@code arguments}, plus the initial group size when it
     * is positive.
     *
     * @throws IOException as {@link Channel#queueDeclare} does when the queue exists with other
     *                     arguments (beyond the group size), or the broker cannot be reached
     */
    public static void declareDurable(Connection connection, String queue, Map<String, Object> arguments,
                                      int initialGroupSize) throws IOException {
        Map<String, Object> wanted = new HashMap<>(arguments);
        if (initialGroupSize > 0) wanted.put(INITIAL_GROUP_SIZE, initialGroupSize);
        try {
            declareOnce(connection, queue, wanted);
        } catch (IOException refused) {
            Matcher created = GROUP_SIZE_REFUSED.matcher(refusal(refused));
            if (!created.find()) throw refused;
            Map<String, Object> asCreated = new HashMap<>(arguments);
            if (created.group(2) != null) asCreated.put(INITIAL_GROUP_SIZE, Integer.parseInt(created.group(2)));
            declareOnce(connection, queue, asCreated);
        }
    }

    private static void declareOnce(Connection connection, String queue, Map<String, Object> arguments)
            throws IOException {
        Channel channel = connection.createChannel();
        if (channel == null) throw new IOException("no channel left on the connection");
        try {
            channel.queueDeclare(queue, true, false, false, arguments);
        } finally {
            RabbitConnections.closeQuietly(channel);
        }
    }

    private static String refusal(IOException e) {
        if (e.getCause() instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.PRECONDITION_FAILED)
            return close.getReplyText();
        return "";
    }
}
