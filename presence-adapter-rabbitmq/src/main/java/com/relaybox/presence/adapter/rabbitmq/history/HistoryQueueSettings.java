package com.relaybox.presence.adapter.rabbitmq.history;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The durable queue that carries history records from the presence path to the history writer.
 *
 * @param amqpUri        the broker, {@code amqp://user:password@host:port/vhost} or {@code amqps://...}
 * @param queue          the queue's name (default {@code presence-history}); undecodable messages go
 *                       to {@code <queue>-dlq}
 * @param queueType      {@code quorum} (default) or {@code classic}, as {@code RABBIT_MQ_QUEUE_TYPE}
 * @param confirmTimeout how long {@code record} waits for the broker's confirm
 */
public record HistoryQueueSettings(String amqpUri, String queue, String queueType, Duration confirmTimeout) {
    public static final String DEFAULT_QUEUE = "presence-history";
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    public HistoryQueueSettings {
        Objects.requireNonNull(amqpUri, "amqpUri");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(queueType, "queueType");
        Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        try {
            String scheme = new URI(amqpUri).getScheme();
            if (!"amqp".equals(scheme) && !"amqps".equals(scheme))
                throw new IllegalArgumentException("the history queue's broker must be an amqp:// or amqps:// URI");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the history queue's broker URI is not a URI: " + e.getReason());
        }
        if (queue.isBlank() || queue.length() > 200)
            throw new IllegalArgumentException("HISTORY_QUEUE must be 1 to 200 characters, got '" + queue + "'");
        queueType = queueType.strip().toLowerCase(Locale.ROOT);
        if (!queueType.equals("quorum") && !queueType.equals("classic"))
            throw new IllegalArgumentException("RABBIT_MQ_QUEUE_TYPE must be 'quorum' or 'classic', got '" + queueType + "'");
        if (confirmTimeout.isZero() || confirmTimeout.isNegative())
            throw new IllegalArgumentException("confirmTimeout must be positive");
    }

    public static HistoryQueueSettings of(String amqpUri) {
        return new HistoryQueueSettings(amqpUri, DEFAULT_QUEUE, "quorum", DEFAULT_CONFIRM_TIMEOUT);
    }

    /** The broker URI as given, with {@code HISTORY_QUEUE} and {@code RABBIT_MQ_QUEUE_TYPE} read from the environment. */
    public static HistoryQueueSettings fromEnvironment(String amqpUri, Map<String, String> environment) {
        Env env = new Env(environment);
        return new HistoryQueueSettings(amqpUri, env.string("HISTORY_QUEUE", DEFAULT_QUEUE),
                env.string("RABBIT_MQ_QUEUE_TYPE", "quorum"), DEFAULT_CONFIRM_TIMEOUT);
    }

    public String deadLetterQueue() {
        return queue + "-dlq";
    }

    /** Never shows the password of the URI. */
    @Override
    public String toString() {
        return "HistoryQueueSettings[" + amqpUri.replaceAll("//([^:/@]*):[^@]*@", "//$1:***@") + ", queue=" + queue
                + ", type=" + queueType + ", confirmTimeout=" + confirmTimeout.toMillis() + "ms]";
    }
}
