package com.relaybox.presence.core.domain;

/** The producer's id of one job (AMQP {@code message_id}); the key of idempotency. */
public record JobId(String value) {
    public JobId {
        if (value == null || value.isEmpty())
            throw new IllegalArgumentException("job id must be non-empty");
    }

    @Override
    public String toString() {
        return value;
    }
}
