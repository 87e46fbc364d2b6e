package com.relaybox.presence.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The generator's own view of who is where, updated as jobs are generated. Jobs of one room are
 * applied in order (one queue per room), so after every job has been applied, Redis must hold
 * exactly this.
 */
final class PresenceModel {
    private final int rooms;
    private final int connections;
    /** Every (connection, room) membership, for a uniform random pick; swap-removed. */
    private final List<Long> memberships = new ArrayList<>();
    private final Map<Long, Integer> position = new HashMap<>();
    private final List<Set<Integer>> roomsOf = new ArrayList<>();

    PresenceModel(int rooms, int connections) {
        this.rooms = rooms;
        this.connections = connections;
        for (int c = 0; c < connections; c++) roomsOf.add(new HashSet<>());
    }

    int membershipCount() {
        return memberships.size();
    }

    boolean isMember(int connection, int room) {
        return position.containsKey(key(connection, room));
    }

    /** A room the connection is not in (the connection is in far fewer rooms than exist). */
    int roomNotJoined(int connection, Random random) {
        Set<Integer> joined = roomsOf.get(connection);
        while (true) {
            int room = random.nextInt(rooms);
            if (!joined.contains(room)) return room;
        }
    }

    /** A current membership as {connection, room}; the model must not be empty. */
    int[] anyMembership(Random random) {
        long key = memberships.get(random.nextInt(memberships.size()));
        return new int[]{(int) (key / rooms), (int) (key % rooms)};
    }

    void join(int connection, int room) {
        long key = key(connection, room);
        if (position.containsKey(key)) return;
        position.put(key, memberships.size());
        memberships.add(key);
        roomsOf.get(connection).add(room);
    }

    /** Applies a leave; false when the connection was not a member (the job then changes nothing). */
    boolean leave(int connection, int room) {
        long key = key(connection, room);
        Integer at = position.remove(key);
        if (at == null) return false;
        long last = memberships.remove(memberships.size() - 1);
        if (last != key) {
            memberships.set(at, last);
            position.put(last, at);
        }
        roomsOf.get(connection).remove(room);
        return true;
    }

    /** Members per room index, for the final comparison with Redis. */
    Map<Integer, Set<Integer>> membersByRoom() {
        Map<Integer, Set<Integer>> byRoom = new HashMap<>();
        for (long key : memberships) byRoom.computeIfAbsent((int) (key % rooms), r -> new HashSet<>()).add((int) (key / rooms));
        return byRoom;
    }

    int connections() {
        return connections;
    }

    private long key(int connection, int room) {
        return (long) connection * rooms + room;
    }
}
