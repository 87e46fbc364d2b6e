package com.relaybox.presence.app.config;

/** {@code RABBIT_MQ_QUEUE_TYPE}: the type of the job queues {@code presence-0..N-1}. */
public enum QueueType {
    QUORUM, CLASSIC;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
