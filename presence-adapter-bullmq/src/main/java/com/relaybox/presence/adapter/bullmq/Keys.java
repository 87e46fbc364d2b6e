package com.relaybox.presence.adapter.bullmq;

/**
 * This service's own keys next to BullMQ's, under the queue's base ({@code queue:presence:}).
 * BullMQ names its keys with single words and its jobs with their ids; these have a colon, so
 * neither a BullMQ key nor an automatic job id can be one of them.
 */
final class Keys {
    /** The string naming the instance that consumes the queue now, and its epoch; expires unless renewed. */
    static final String LEASE = "presence:lease";
    /** The counter that numbers the leases (the epochs). */
    static final String EPOCH = "presence:epoch";

    private Keys() {
    }
}
