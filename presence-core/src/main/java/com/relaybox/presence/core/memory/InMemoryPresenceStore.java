package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.core.port.out.TimeSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The presence sets in this process's memory, with the layout and rules of CONTRACT §3. One lock
 * guards everything, so every command is atomic and a batch is applied as one step.
 */
public final class InMemoryPresenceStore implements PresenceStore {
    public static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(600);
    public static final Duration DEFAULT_JOB_MEMORY = Duration.ofHours(24);

    private final TimeSource clock;
    private final Duration tombstone;
    private final Duration jobMemory;

    private final Map<NspRoomId, Room> rooms = new HashMap<>();
    private final Map<ConnectionId, Set<NspRoomId>> presenceSets = new HashMap<>();
    /** Expiry of each connection's tombstone, oldest first. */
    private final LinkedHashMap<ConnectionId, Instant> tombstones = new LinkedHashMap<>();
    /** What each recent job id did, oldest first. */
    private final LinkedHashMap<JobId, Remembered> jobs = new LinkedHashMap<>();

    public InMemoryPresenceStore() {
        this(TimeSource.system(), DEFAULT_TOMBSTONE, DEFAULT_JOB_MEMORY);
    }

    public InMemoryPresenceStore(TimeSource clock, Duration tombstone, Duration jobMemory) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tombstone = requirePositive(tombstone, "tombstone");
        this.jobMemory = requirePositive(jobMemory, "jobMemory");
    }

    @Override
    public synchronized List<StoreResult> apply(List<StoreCommand> commands) {
        Instant now = clock.now();
        forgetExpired(now);
        List<StoreResult> results = new ArrayList<>(commands.size());
        for (StoreCommand command : commands) {
            Remembered earlier = jobs.get(command.jobId());
            if (earlier != null) {
                results.add(earlier.result.asRepeat());
                continue;
            }
            StoreResult result = applyFresh(command, now);
            jobs.put(command.jobId(), new Remembered(result, now.plus(jobMemory)));
            results.add(result);
        }
        return results;
    }

    private StoreResult applyFresh(StoreCommand command, Instant now) {
        return command.match(join -> join(join, now), update -> update(update, now), this::leave,
                disconnect -> disconnect(disconnect, now));
    }

    private StoreResult join(StoreCommand.Join join, Instant now) {
        ConnectionId connection = join.connection();
        if (tombstoned(connection, now)) return StoreResult.unchanged(StoreResult.Effect.DISCONNECTED, join.timestamp());
        Room room = rooms.computeIfAbsent(join.room(), id -> new Room());
        room.index.remove(connection);
        room.index.addFirst(connection);
        room.members.put(connection, join.memberJson());
        presenceSets.computeIfAbsent(connection, c -> new LinkedHashSet<>()).add(join.room());
        return StoreResult.changed(List.of(join.room()), join.timestamp());
    }

    private StoreResult update(StoreCommand.Update update, Instant now) {
        ConnectionId connection = update.connection();
        if (tombstoned(connection, now)) return StoreResult.unchanged(StoreResult.Effect.DISCONNECTED, update.timestamp());
        Room room = rooms.get(update.room());
        if (room == null || !room.members.containsKey(connection))
            return StoreResult.unchanged(StoreResult.Effect.NOT_A_MEMBER, update.timestamp());
        room.members.put(connection, update.memberJson());
        return StoreResult.changed(List.of(update.room()), update.timestamp());
    }

    private StoreResult leave(StoreCommand.Leave leave) {
        if (!remove(leave.room(), leave.connection()))
            return StoreResult.unchanged(StoreResult.Effect.NOT_A_MEMBER, leave.timestamp());
        return StoreResult.changed(List.of(leave.room()), leave.timestamp());
    }

    private StoreResult disconnect(StoreCommand.Disconnect disconnect, Instant now) {
        ConnectionId connection = disconnect.connection();
        tombstones.remove(connection);
        tombstones.put(connection, now.plus(tombstone));
        List<NspRoomId> left = new ArrayList<>();
        for (NspRoomId roomId : List.copyOf(presenceSets.getOrDefault(connection, Set.of())))
            if (remove(roomId, connection)) left.add(roomId);
        presenceSets.remove(connection);
        return StoreResult.changed(left, disconnect.timestamp());
    }

    /** Removes the connection from the room everywhere; false when it was not a member. */
    private boolean remove(NspRoomId roomId, ConnectionId connection) {
        Room room = rooms.get(roomId);
        if (room == null || room.members.remove(connection) == null) return false;
        room.index.remove(connection);
        if (room.members.isEmpty()) rooms.remove(roomId);
        Set<NspRoomId> connectionRooms = presenceSets.get(connection);
        if (connectionRooms != null) {
            connectionRooms.remove(roomId);
            if (connectionRooms.isEmpty()) presenceSets.remove(connection);
        }
        return true;
    }

    private boolean tombstoned(ConnectionId connection, Instant now) {
        Instant expiry = tombstones.get(connection);
        return expiry != null && now.isBefore(expiry);
    }

    private void forgetExpired(Instant now) {
        for (Iterator<Instant> it = tombstones.values().iterator(); it.hasNext(); ) {
            if (now.isBefore(it.next())) break;
            it.remove();
        }
        for (Iterator<Remembered> it = jobs.values().iterator(); it.hasNext(); ) {
            if (now.isBefore(it.next().expiry)) break;
            it.remove();
        }
    }

    @Override
    public synchronized List<Member> memberPage(NspRoomId roomId, int offset, int count) {
        Room room = rooms.get(roomId);
        if (room == null || offset >= room.index.size()) return List.of();
        List<Member> page = new ArrayList<>(Math.min(count, room.index.size() - offset));
        for (ConnectionId connection : room.index.subList(offset, Math.min(room.index.size(), offset + count)))
            page.add(PresenceJson.parseMember(room.members.get(connection)));
        return page;
    }

    @Override
    public synchronized long count(NspRoomId roomId) {
        Room room = rooms.get(roomId);
        return room == null ? 0 : room.index.size();
    }

    @Override
    public synchronized boolean isMember(NspRoomId roomId, ConnectionId connection) {
        Room room = rooms.get(roomId);
        return room != null && room.members.containsKey(connection);
    }

    @Override
    public synchronized List<NspRoomId> rooms(ConnectionId connection) {
        return List.copyOf(presenceSets.getOrDefault(connection, Set.of()));
    }

    /** Every room's index, as RelayBox's {@code presence:<room>:index} list would hold it. */
    public synchronized Map<String, List<String>> indexes() {
        Map<String, List<String>> copy = new HashMap<>();
        rooms.forEach((id, room) -> copy.put(id.toString(), room.index.stream().map(ConnectionId::value).toList()));
        return copy;
    }

    /** Every room's members hash, as {@code presence:<room>:members} would hold it. */
    public synchronized Map<String, Map<String, String>> memberHashes() {
        Map<String, Map<String, String>> copy = new HashMap<>();
        rooms.forEach((id, room) -> {
            Map<String, String> members = new HashMap<>();
            room.members.forEach((connection, json) -> members.put(connection.value(), json));
            copy.put(id.toString(), members);
        });
        return copy;
    }

    /** Every connection's rooms, as {@code connection:<id>:presence-sets} would hold them. */
    public synchronized Map<String, Set<String>> presenceSets() {
        Map<String, Set<String>> copy = new HashMap<>();
        presenceSets.forEach((connection, roomIds) -> {
            Set<String> names = new LinkedHashSet<>();
            roomIds.forEach(id -> names.add(id.toString()));
            copy.put(connection.value(), names);
        });
        return copy;
    }

    private static Duration requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException(name + " must be positive");
        return duration;
    }

    private static final class Room {
        final LinkedList<ConnectionId> index = new LinkedList<>();
        final Map<ConnectionId, String> members = new HashMap<>();
    }

    private record Remembered(StoreResult result, Instant expiry) {
    }
}
