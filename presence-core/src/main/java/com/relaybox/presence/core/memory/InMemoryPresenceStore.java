package com.relaybox.presence.core.memory;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.Liveness;
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
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The presence sets in this process's memory, with the layout and rules of CONTRACT §3, and the
 * connections' heartbeats of §8 ({@link #heartbeat}). One lock guards everything, so every command
 * is atomic and a batch is applied as one step.
 */
public final class InMemoryPresenceStore implements PresenceStore, Liveness {
    private static final Comparator<Heartbeat> HEARTBEAT_ORDER =
            Comparator.comparingDouble(Heartbeat::score).thenComparing(heartbeat -> heartbeat.connection().value());

    public static final Duration DEFAULT_TOMBSTONE = Duration.ofSeconds(600);

    private final TimeSource clock;
    private final Duration tombstone;
    private final JobMemory jobMemory;

    private final Map<NspRoomId, Room> rooms = new HashMap<>();
    private final Map<ConnectionId, Set<NspRoomId>> presenceSets = new HashMap<>();
    /** Each connection's tombstone, oldest first. */
    private final LinkedHashMap<ConnectionId, Tombstone> tombstones = new LinkedHashMap<>();
    private final Map<ConnectionId, Heartbeat> heartbeats = new HashMap<>();
    private final TreeSet<Heartbeat> heartbeatsByTime = new TreeSet<>(HEARTBEAT_ORDER);
    private final Set<Ghost> unconfirmed = new LinkedHashSet<>();
    private String leader;
    private Instant leaderUntil = Instant.MIN;
    /**
     * What each recent job id did, in expiry order: those not yet acknowledged, and those
     * acknowledged, each map by a period of its own.
     */
    private final LinkedHashMap<JobId, Remembered> unacknowledgedJobs = new LinkedHashMap<>();
    private final LinkedHashMap<JobId, Remembered> acknowledgedJobs = new LinkedHashMap<>();
    /** Each fenced resource's newest token. */
    private final Map<String, Long> fencingTokens = new HashMap<>();

    public InMemoryPresenceStore() {
        this(TimeSource.system(), DEFAULT_TOMBSTONE, JobMemory.DEFAULT);
    }

    public InMemoryPresenceStore(TimeSource clock, Duration tombstone, JobMemory jobMemory) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tombstone = requirePositive(tombstone, "tombstone");
        this.jobMemory = Objects.requireNonNull(jobMemory, "jobMemory");
    }

    @Override
    public synchronized List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
        if (token.isPresent()) requireNewest(token.get());
        Instant now = clock.now();
        forgetExpired(now);
        List<StoreResult> results = new ArrayList<>(commands.size());
        for (StoreCommand command : commands) {
            Remembered earlier = unacknowledgedJobs.get(command.jobId());
            if (earlier == null) earlier = acknowledgedJobs.get(command.jobId());
            if (earlier != null) {
                results.add(earlier.result.asRepeat());
                continue;
            }
            StoreResult result = applyFresh(command, now);
            unacknowledgedJobs.put(command.jobId(), new Remembered(result, now.plus(jobMemory.unacknowledged())));
            results.add(result);
        }
        return results;
    }

    @Override
    public synchronized void jobsAcknowledged(List<JobId> jobIds) {
        Instant now = clock.now();
        forgetExpired(now);
        for (JobId id : jobIds) {
            Remembered remembered = unacknowledgedJobs.remove(id);
            if (remembered == null) remembered = acknowledgedJobs.remove(id);   // re-inserted last: expiry order
            if (remembered != null)
                acknowledgedJobs.put(id, new Remembered(remembered.result, now.plus(jobMemory.duplicateWindow())));
        }
    }

    @Override
    public synchronized FencingToken takeFencingToken(String resource) {
        return new FencingToken(resource, fencingTokens.merge(resource, 1L, Long::sum));
    }

    private void requireNewest(FencingToken token) {
        Long newest = fencingTokens.get(token.resource());
        if (newest == null || newest != token.value())
            throw new FencedOutException("fencing token " + token.value() + " of " + token.resource()
                    + " is not the newest (" + newest + "): another instance has taken it since");
    }

    private StoreResult applyFresh(StoreCommand command, Instant now) {
        return command.match(join -> join(join, now), update -> update(update, now), this::leave,
                disconnect -> disconnect(disconnect, now), evict -> evict(evict, now));
    }

    private StoreResult join(StoreCommand.Join join, Instant now) {
        ConnectionId connection = join.connection();
        Optional<StoreResult.Effect> kept = keptOut(connection, now);
        if (kept.isPresent()) return StoreResult.unchanged(kept.get(), join.timestamp());
        Room room = rooms.computeIfAbsent(join.room(), id -> new Room());
        room.index.remove(connection);
        room.index.addFirst(connection);
        room.members.put(connection, join.memberJson());
        presenceSets.computeIfAbsent(connection, c -> new LinkedHashSet<>()).add(join.room());
        return StoreResult.changed(List.of(join.room()), join.timestamp());
    }

    private StoreResult update(StoreCommand.Update update, Instant now) {
        ConnectionId connection = update.connection();
        Optional<StoreResult.Effect> kept = keptOut(connection, now);
        if (kept.isPresent()) return StoreResult.unchanged(kept.get(), update.timestamp());
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
        tombstone(connection, new Tombstone(now.plus(tombstone), Optional.empty()));
        return StoreResult.changed(leaveEveryRoom(connection), disconnect.timestamp());
    }

    private StoreResult evict(StoreCommand.Evict evict, Instant now) {
        Ghost ghost = evict.ghost();
        ConnectionId connection = ghost.connection();
        Heartbeat heartbeat = heartbeats.get(connection);
        if (heartbeat == null || heartbeat.score() > ghost.heartbeatMillis())
            return StoreResult.unchanged(StoreResult.Effect.NOT_STALE, evict.timestamp());
        Tombstone current = tombstones.get(connection);
        boolean disconnected = current != null && now.isBefore(current.expiry()) && current.evictedAt().isEmpty();
        if (!disconnected) tombstone(connection, new Tombstone(now.plus(tombstone), Optional.of(ghost.heartbeatMillis())));
        List<NspRoomId> left = leaveEveryRoom(connection);
        if (!left.isEmpty()) unconfirmed.add(ghost);
        return StoreResult.changed(left, evict.timestamp());
    }

    private List<NspRoomId> leaveEveryRoom(ConnectionId connection) {
        List<NspRoomId> left = new ArrayList<>();
        for (NspRoomId roomId : List.copyOf(presenceSets.getOrDefault(connection, Set.of())))
            if (remove(roomId, connection)) left.add(roomId);
        presenceSets.remove(connection);
        return left;
    }

    private void tombstone(ConnectionId connection, Tombstone stone) {
        tombstones.remove(connection);   // re-inserted last: the map stays in expiry order
        tombstones.put(connection, stone);
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

    /**
     * Why a join or update of the connection is ignored: disconnected, or evicted with no heartbeat
     * since; empty when it applies. A heartbeat newer than the eviction lifts the eviction's tombstone.
     */
    private Optional<StoreResult.Effect> keptOut(ConnectionId connection, Instant now) {
        Tombstone stone = tombstones.get(connection);
        if (stone == null || !now.isBefore(stone.expiry())) return Optional.empty();
        if (stone.evictedAt().isEmpty()) return Optional.of(StoreResult.Effect.DISCONNECTED);
        Heartbeat heartbeat = heartbeats.get(connection);
        if (heartbeat == null || heartbeat.score() <= stone.evictedAt().get()) return Optional.of(StoreResult.Effect.EVICTED);
        tombstones.remove(connection);
        return Optional.empty();
    }

    private void forgetExpired(Instant now) {
        for (Iterator<Tombstone> it = tombstones.values().iterator(); it.hasNext(); ) {
            if (now.isBefore(it.next().expiry())) break;
            it.remove();
        }
        forgetExpired(unacknowledgedJobs, now);
        forgetExpired(acknowledgedJobs, now);
    }

    private static void forgetExpired(LinkedHashMap<JobId, Remembered> jobs, Instant now) {
        for (Iterator<Remembered> it = jobs.values().iterator(); it.hasNext(); ) {
            if (now.isBefore(it.next().expiry)) break;
            it.remove();
        }
    }

    // ---- liveness (CONTRACT §8)

    /** Records a heartbeat of the connection, as RelayBox's session service does in {@code heartbeat:keepalive}. */
    public synchronized void heartbeat(ConnectionId connection, Instant at) {
        removeHeartbeat(connection);
        Heartbeat heartbeat = new Heartbeat(connection, at.toEpochMilli());
        heartbeats.put(connection, heartbeat);
        heartbeatsByTime.add(heartbeat);
    }

    /** Removes the connection's heartbeat, as the session service does when its session ends. */
    public synchronized void removeHeartbeat(ConnectionId connection) {
        Heartbeat previous = heartbeats.remove(connection);
        if (previous != null) heartbeatsByTime.remove(previous);
    }

    @Override
    public synchronized boolean lead(String candidate, Duration term) {
        Instant now = clock.now();
        if (leader != null && !leader.equals(candidate) && now.isBefore(leaderUntil)) return false;
        leader = candidate;
        leaderUntil = now.plus(term);
        return true;
    }

    @Override
    public synchronized StalePage stale(Instant cutoff, StaleCursor from, int limit) {
        double before = cutoff.toEpochMilli();
        List<Ghost> ghosts = new ArrayList<>();
        int read = 0;
        int atLast = 0;
        double last = from.score();
        int skipped = 0;
        for (Heartbeat heartbeat : heartbeatsByTime.tailSet(new Heartbeat(new ConnectionId("\0"), from.score()), true)) {
            if (heartbeat.score() >= before || read == limit) break;
            if (heartbeat.score() == from.score() && skipped < from.skip()) {
                skipped++;
                continue;
            }
            read++;
            atLast = heartbeat.score() == last ? atLast + 1 : 1;
            last = heartbeat.score();
            ghost(heartbeat).ifPresent(ghosts::add);
        }
        Optional<StaleCursor> next = read < limit ? Optional.empty() : Optional.of(from.after(last, atLast));
        return new StalePage(ghosts, next);
    }

    /** The ghost the connection of this stale heartbeat is, if it is present in some room. */
    private Optional<Ghost> ghost(Heartbeat heartbeat) {
        Set<NspRoomId> connectionRooms = presenceSets.get(heartbeat.connection());
        if (connectionRooms == null || connectionRooms.isEmpty()) return Optional.empty();
        NspRoomId someRoom = connectionRooms.iterator().next();
        Member member = PresenceJson.parseMember(rooms.get(someRoom).members.get(heartbeat.connection()));
        return Optional.of(new Ghost(heartbeat.connection(), (long) Math.ceil(heartbeat.score()), someRoom.appPid(),
                member.clientId(), member.userJson()));
    }

    @Override
    public synchronized List<Ghost> unconfirmed(int limit) {
        return unconfirmed.stream().limit(limit).toList();
    }

    @Override
    public synchronized void confirmed(List<Ghost> ghosts) {
        ghosts.forEach(unconfirmed::remove);
    }

    // ---- reads

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

    /** Until {@code expiry}, joins and updates are kept out: for good after a disconnect, until a heartbeat newer than {@code evictedAt} after an eviction. */
    private record Tombstone(Instant expiry, Optional<Long> evictedAt) {
    }

    private record Heartbeat(ConnectionId connection, double score) {
    }
}
