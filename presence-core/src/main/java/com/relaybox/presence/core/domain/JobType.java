package com.relaybox.presence.core.domain;

import java.util.Optional;

/**
 * The kinds of job, with the AMQP {@code type} of each (CONTRACT §2; the one place of those names)
 * and the event it broadcasts.
 */
public enum JobType {
    JOIN("presence:join", EventType.JOIN),
    LEAVE("presence:leave", EventType.LEAVE),
    UPDATE("presence:update", EventType.UPDATE),
    DISCONNECT("presence:disconnect", EventType.LEAVE);

    private final String wireName;
    private final EventType event;

    JobType(String wireName, EventType event) {
        this.wireName = wireName;
        this.event = event;
    }

    public String wireName() {
        return wireName;
    }

    /** The event this job broadcasts: a disconnect broadcasts a {@code leave} per room. */
    public EventType event() {
        return event;
    }

    public static Optional<JobType> fromWire(String name) {
        for (JobType type : values())
            if (type.wireName.equals(name)) return Optional.of(type);
        return Optional.empty();
    }
}
