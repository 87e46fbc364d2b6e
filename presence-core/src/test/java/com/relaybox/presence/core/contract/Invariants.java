package com.relaybox.presence.core.contract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The invariants of CONTRACT §3, checked over a whole snapshot. */
public final class Invariants {
    private Invariants() {
    }

    /** Every violation, one line each; empty when the snapshot is consistent. */
    public static List<String> violations(PresenceSnapshot state) {
        List<String> violations = new ArrayList<>();
        Set<String> rooms = new HashSet<>(state.indexes().keySet());
        rooms.addAll(state.members().keySet());
        Map<String, Set<String>> roomsByConnection = new HashMap<>();
        for (String room : rooms) {
            List<String> index = state.indexes().getOrDefault(room, List.of());
            Map<String, String> members = state.members().getOrDefault(room, Map.of());
            if (index.isEmpty() && state.indexes().containsKey(room)) violations.add(room + ": empty index key left behind");
            if (members.isEmpty() && state.members().containsKey(room)) violations.add(room + ": empty members key left behind");
            Set<String> indexed = new HashSet<>(index);
            if (indexed.size() != index.size()) violations.add(room + ": index holds a connection twice: " + index);
            if (!indexed.equals(members.keySet()))
                violations.add(room + ": index " + indexed + " and members " + members.keySet() + " differ");
            for (String connection : members.keySet())
                roomsByConnection.computeIfAbsent(connection, c -> new HashSet<>()).add(room);
        }
        Set<String> connections = new HashSet<>(roomsByConnection.keySet());
        connections.addAll(state.presenceSets().keySet());
        for (String connection : connections) {
            Set<String> expected = roomsByConnection.getOrDefault(connection, Set.of());
            Set<String> recorded = state.presenceSets().getOrDefault(connection, Set.of());
            if (!expected.equals(recorded))
                violations.add(connection + ": presence-sets " + recorded + " but member of " + expected);
            if (recorded.isEmpty() && state.presenceSets().containsKey(connection))
                violations.add(connection + ": empty presence-sets key left behind");
        }
        return violations;
    }
}
