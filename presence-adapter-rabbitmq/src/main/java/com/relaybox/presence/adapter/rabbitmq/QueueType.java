package com.relaybox.presence.adapter.rabbitmq;

import java.util.Locale;

/** The {@code x-queue-type} of the shard queues, of {@code presence-dlq} and of the history queues. */
public enum QueueType {
    QUORUM("quorum"), CLASSIC("classic");

    private final String argument;

    QueueType(String argument) {
        this.argument = argument;
    }

    /** The value of the {@code x-queue-type} argument. */
    public String argument() {
        return argument;
    }

    /** @throws IllegalArgumentException unless the value is quorum or classic, in any case */
    public static QueueType parse(String value) {
        String wanted = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (QueueType type : values())
            if (type.argument.equals(wanted)) return type;
        throw new IllegalArgumentException("the queue type must be 'quorum' or 'classic', got '" + value + "'");
    }
}
