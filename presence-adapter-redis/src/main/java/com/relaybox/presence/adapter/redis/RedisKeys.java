package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;

/**
 * The key layout: RelayBox's three keys of CONTRACT §3, read by the realtime service, and this
 * service's own bookkeeping, named so that no RelayBox pattern ({@code presence:*},
 * {@code connection:*}) matches it. {@code apply.lua} builds the room keys of a disconnect the
 * same way.
 */
final class RedisKeys {
    private RedisKeys() {
    }

    static String members(NspRoomId room) {
        return "presence:" + room + ":members";
    }

    static String index(NspRoomId room) {
        return "presence:" + room + ":index";
    }

    static String presenceSets(ConnectionId connection) {
        return "connection:" + connection.value() + ":presence-sets";
    }

    /** What a job id did: effect, timestamp and rooms, MessagePack, with a TTL of the job memory. */
    static String job(JobId job) {
        return "presence-job:" + job.value();
    }

    /** Present, with a TTL of the tombstone period, while a disconnected connection may not come back. */
    static String tombstone(ConnectionId connection) {
        return "presence-tombstone:" + connection.value();
    }
}
