package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;

import java.util.List;
import java.util.Optional;

/**
 * Where the presence sets live (CONTRACT §3). Each command's change to a room is atomic, a
 * command whose job id was applied before changes nothing, and the store remembers what each
 * job id did so a repeat can be told apart and broadcast the same event, for as long as its
 * {@link JobMemory} says.
 *
 * <p>Failures: {@link DependencyUnavailableException} when the backing service cannot be
 * reached (retry later); {@link com.relaybox.presence.core.domain.CorruptStateException} when
 * what it holds for a room is not what this service writes there; {@link FencedOutException} when
 * a batch's fencing token is not its resource's newest.
 */
public interface PresenceStore {

    /**
     * Applies the commands in order; one result per command, in the same order. With a token, only
     * while it is the newest {@linkplain #takeFencingToken taken} for its resource, checked with each
     * command, atomically with its change: otherwise nothing changes, no job is remembered, and it
     * throws {@link FencedOutException}.
     */
    List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token);

    /** {@link #apply(List, Optional)} without a token: for work that no other instance can take over. */
    default List<StoreResult> apply(List<StoreCommand> commands) {
        return apply(commands, Optional.empty());
    }

    /**
     * A new token for the resource, unlike every one taken before by any instance: from now on only
     * batches carrying it are applied for the resource. A store that loses its tokens (a Redis restart
     * without persistence) refuses the batches of every token taken before, and does not hand out
     * one of those numbers again.
     */
    FencingToken takeFencingToken(String resource);

    /**
     * The source of these jobs has their acknowledgement and will not deliver them again: from now
     * on each is remembered only for the {@linkplain JobMemory#duplicateWindow duplicate window},
     * for a producer's retry. Ids it does not remember are left alone. Call it only once the
     * acknowledgement is sent, so that a crash in between leaves the long memory.
     *
     * <p>Best effort, and never throws: a job whose memory could not be shortened (the store is
     * unavailable) is remembered for the whole job memory, which is harmless; the implementation
     * reports such a failure itself, once per run of failures.
     */
    void jobsAcknowledged(List<JobId> jobs);

    /**
     * Members at positions {@code [offset, offset + count)} of the room's index, most recently
     * joined first, as they are stored (not deduplicated). Fewer than {@code count} means the end.
     */
    List<Member> memberPage(NspRoomId room, int offset, int count);

    /** The length of the room's index, as RelayBox counts members. */
    long count(NspRoomId room);

    boolean isMember(NspRoomId room, ConnectionId connection);

    /** The rooms the connection is present in (its presence-sets), in no particular order. */
    List<NspRoomId> rooms(ConnectionId connection);
}
