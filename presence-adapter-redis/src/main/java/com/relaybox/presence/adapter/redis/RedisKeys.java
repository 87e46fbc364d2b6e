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

    /**
     * What a job id did: effect, timestamp and rooms, MessagePack, with a TTL of the job memory,
     * shortened to the duplicate window once the job is acknowledged to its source.
     */
    static String job(JobId job) {
        return "presence-job:" + job.value();
    }

    /**
     * The newest fencing token of a resource (a queue consumed by one instance at a time): the batches
     * of that resource carrying another token are refused.
     */
    static String fence(String resource) {
        return "presence-fence:" + resource;
    }

    /** The ghost sweeper's role, held by one instance at a time (CONTRACT §8); one per heartbeat key. */
    static String sweeperLease(String heartbeatKey) {
        return "presence-sweeper:" + heartbeatKey;
    }

    /** Evictions applied whose leaves are not yet confirmed (sorted set of ghost records, by stale heartbeat). */
    static String unconfirmedEvictions(String heartbeatKey) {
        return "presence-unconfirmed:" + heartbeatKey;
    }

    /**
     * Present, with a TTL of the tombstone period, while a disconnected or evicted connection may not
     * come back: {@code 1} after a disconnect, {@code h<heartbeat>} after an eviction.
     */
    static String tombstone(ConnectionId connection) {
        return "presence-tombstone:" + connection.value();
    }
}
