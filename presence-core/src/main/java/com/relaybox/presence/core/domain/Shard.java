package com.relaybox.presence.core.domain;

/** CONTRACT §1: which of the N queues (and broadcast routing keys) a room or connection goes to. */
public final class Shard {
    private Shard() {
    }

    /** {@code floorMod(String.hashCode(), n)}: byte-compatible with RelayBox's JavaScript hash. */
    public static int of(String key, int queueCount) {
        if (queueCount < 1) throw new IllegalArgumentException("queue count must be >= 1, got " + queueCount);
        return Math.floorMod(key.hashCode(), queueCount);
    }

    /** The shard of a room's jobs: the hash of the room id, without the app part. */
    public static int of(NspRoomId room, int queueCount) {
        return of(room.roomId(), queueCount);
    }

    /** The shard of a connection's disconnect job. */
    public static int of(ConnectionId connection, int queueCount) {
        return of(connection.value(), queueCount);
    }

    /** {@code $$:<appPid>:<shard(roomId)>}, the routing key of a room's broadcasts on {@code ds.rooms.durable}. */
    public static String broadcastRoutingKey(NspRoomId room, int queueCount) {
        return "$$:" + room.appPid() + ":" + of(room, queueCount);
    }
}
