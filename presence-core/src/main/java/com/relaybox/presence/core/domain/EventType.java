package com.relaybox.presence.core.domain;

/** What a broadcast says happened to a member: the bare {@code data.event} of CONTRACT §4. */
public enum EventType {
    JOIN("join"), LEAVE("leave"), UPDATE("update");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static EventType fromWire(String name) {
        for (EventType type : values())
            if (type.wireName.equals(name)) return type;
        throw new IllegalArgumentException("unknown presence event '" + name + "'");
    }
}
