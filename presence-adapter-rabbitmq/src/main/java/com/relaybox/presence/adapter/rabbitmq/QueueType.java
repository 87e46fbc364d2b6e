package com.relaybox.presence.adapter.rabbitmq;

import java.util.Locale;

/**
 * {@code RABBIT_MQ_QUEUE_TYPE}: the {@code x-queue-type} of the shard queues, of {@code presence-dlq}
 * and of the history queues.
 */
public enum QueueType {
    QUORUM("quorum"), CLASSIC("classic");

    private static final String VARIABLE = "RABBIT_MQ_QUEUE_TYPE";

    private final String argument;

    QueueType(String argument) {
        this.argument = argument;
    }

    /** The value of the {@code x-queue-type} argument. */
    public String argument() {
        return argument;
    }

    /** @throws IllegalArgumentException naming {@value #VARIABLE} unless the value is quorum or classic */
    public static QueueType parse(String value) {
        String wanted = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (QueueType type : values())
            if (type.argument.equals(wanted)) return type;
        throw new IllegalArgumentException(VARIABLE + " must be 'quorum' or 'classic', got '" + value + "'");
    }
}
