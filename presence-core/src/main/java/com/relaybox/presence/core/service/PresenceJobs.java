package com.relaybox.presence.core.service;

import com.relaybox.presence.core.domain.Actor;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.PresenceEvent;
import com.relaybox.presence.core.domain.PresenceJob;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.domain.Timestamps;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.in.EvictGhosts;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.core.port.out.TimeSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Applies presence jobs: the store changes the presence sets, then the events are broadcast and
 * recorded in history, both at once. A job is done only when all three are; whoever acknowledges
 * jobs does so once the batch is confirmed. A failure in any step fails the batch, and the retry (as
 * a redelivery) finds the store's memory of the job, so state changes once and the broadcast and
 * history record are repeated with the same event.
 *
 * <p>A ghost's eviction takes the same path as a disconnect job, with the store's eviction command
 * in place of the disconnect's.
 */
public final class PresenceJobs implements ProcessJobs, EvictGhosts {
    private static final Sent NOTHING_SENT = new Sent(CompletableFuture.completedFuture(null),
            CompletableFuture.completedFuture(null));

    private final JobParser parser;
    private final PresenceStore store;
    private final PresenceBroadcaster broadcaster;
    private final HistoryRecorder history;
    private final TimeSource clock;

    public PresenceJobs(JobParser parser, PresenceStore store, PresenceBroadcaster broadcaster,
                        HistoryRecorder history, TimeSource clock) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.store = Objects.requireNonNull(store, "store");
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        this.history = Objects.requireNonNull(history, "history");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public AppliedBatch applyBatch(List<RawJob> jobs, Fence fence) {
        Outcome[] outcomes = new Outcome[jobs.size()];
        List<Attempt> attempts = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            RawJob raw = jobs.get(i);
            try {
                attempts.add(new Attempt(i, parser.parse(raw), raw.redelivered(), Optional.empty()));
            } catch (InvalidJobException e) {
                outcomes[i] = new Outcome.Rejected(e.getMessage());
            }
        }
        Sent sent = apply(attempts, outcomes, fence);
        return new AppliedBatch(Arrays.asList(outcomes), sent.broadcast, sent.confirmed);
    }

    @Override
    public AppliedBatch evict(List<Eviction> evictions, Fence fence) {
        Outcome[] outcomes = new Outcome[evictions.size()];
        List<Attempt> attempts = new ArrayList<>(evictions.size());
        for (int i = 0; i < evictions.size(); i++) {
            Ghost ghost = evictions.get(i).ghost();
            Actor actor = new Actor(ghost.appPid(), ghost.connection(), ghost.clientId(), PresenceJson.ghostSession(ghost),
                    ghost.userJson());
            PresenceJob.Disconnect disconnect = new PresenceJob.Disconnect(ghost.jobId(), actor, Optional.empty(),
                    Optional.empty());
            attempts.add(new Attempt(i, disconnect, evictions.get(i).redelivered(), Optional.of(ghost)));
        }
        Sent sent = apply(attempts, outcomes, fence);
        return new AppliedBatch(Arrays.asList(outcomes), sent.broadcast, sent.confirmed);
    }

    @Override
    public FencingToken takeFencingToken(String resource) {
        return store.takeFencingToken(resource);
    }

    /** Rejected jobs left no memory (and may have no id): only the others' is shortened. */
    @Override
    public void jobsAcknowledged(List<RawJob> jobs, List<Outcome> outcomes) {
        if (jobs.size() != outcomes.size())
            throw new IllegalArgumentException(jobs.size() + " jobs but " + outcomes.size() + " outcomes");
        List<JobId> remembered = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++)
            if (!(outcomes.get(i) instanceof Outcome.Rejected)) remembered.add(new JobId(jobs.get(i).id()));
        if (!remembered.isEmpty()) store.jobsAcknowledged(remembered);
    }

    @Override
    public void evictionsAcknowledged(List<Ghost> ghosts) {
        if (!ghosts.isEmpty()) store.jobsAcknowledged(ghosts.stream().map(Ghost::jobId).toList());
    }

    /**
     * Fills in the outcomes, and sends the broadcasts and history records. When the
     * store finds a room or connection holding what this service does not write there, the batch
     * would fail forever: its jobs are applied one at a time instead, so only the job that meets it
     * is rejected ({@code corrupt state: ...}) and the others go through. Each of those is applied
     * as a redelivery, since the store may have applied the ones before the failure without their
     * broadcasts having gone out.
     */
    private Sent apply(List<Attempt> attempts, Outcome[] outcomes, Fence fence) {
        if (attempts.isEmpty()) return NOTHING_SENT;
        try {
            return applyTogether(attempts, outcomes, fence);
        } catch (CorruptStateException e) {
            if (attempts.size() == 1) {
                outcomes[attempts.get(0).index] = new Outcome.Rejected(JobParser.oneLine("corrupt state: " + e.getMessage()));
                return NOTHING_SENT;
            }
            List<CompletableFuture<Void>> broadcasts = new ArrayList<>(attempts.size());
            List<CompletableFuture<Void>> confirmations = new ArrayList<>(attempts.size());
            for (Attempt attempt : attempts) {
                Sent sent = apply(List.of(attempt.asRedelivery()), outcomes, fence);
                broadcasts.add(sent.broadcast);
                confirmations.add(sent.confirmed);
            }
            return new Sent(CompletableFuture.allOf(broadcasts.toArray(CompletableFuture[]::new)),
                    CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)));
        }
    }

    private Sent applyTogether(List<Attempt> attempts, Outcome[] outcomes, Fence fence) {
        String now = Timestamps.format(clock.now());
        List<StoreCommand> commands = new ArrayList<>(attempts.size());
        for (Attempt attempt : attempts) {
            String timestamp = attempt.job.timestamp().orElse(now);
            commands.add(attempt.evicting.<StoreCommand>map(ghost -> new StoreCommand.Evict(ghost, timestamp))
                    .orElseGet(() -> command(attempt.job, timestamp)));
        }

        List<StoreResult> results = store.apply(commands, fence.token());
        if (results.size() != commands.size())
            throw new IllegalStateException("store answered " + results.size() + " results for " + commands.size() + " commands");

        List<PresenceEvent> events = new ArrayList<>(attempts.size());
        List<HistoryRecord> records = new ArrayList<>(attempts.size());
        for (int i = 0; i < attempts.size(); i++) {
            Attempt attempt = attempts.get(i);
            Outcome outcome = outcome(attempt, results.get(i));
            outcomes[attempt.index] = outcome;
            if (outcome instanceof Outcome.Applied applied) {
                List<PresenceEvent> jobEvents = applied.events();
                for (int k = 0; k < jobEvents.size(); k++)
                    records.add(HistoryRecord.of(attempt.job.id(), k, jobEvents.get(k)));
                events.addAll(jobEvents);
            }
        }
        if (records.isEmpty()) return NOTHING_SENT;
        // Broadcast first: subscribers are waiting for it; history is only read later.
        CompletableFuture<Void> broadcast = broadcaster.broadcast(events, fence);
        CompletableFuture<Void> recorded = history.record(records);
        return new Sent(broadcast, CompletableFuture.allOf(broadcast, recorded));
    }

    /** The confirmations of what a batch sent: its broadcasts, and its broadcasts and history records both. */
    private record Sent(CompletableFuture<Void> broadcast, CompletableFuture<Void> confirmed) {
    }

    private static Outcome outcome(Attempt attempt, StoreResult result) {
        PresenceJob job = attempt.job;
        if (result.repeat() && !attempt.redelivered)
            return new Outcome.Ignored("duplicate of job " + job.id() + ", already applied");
        return switch (result.effect()) {
            case NOT_A_MEMBER -> new Outcome.Ignored("connection " + job.actor().connectionId() + " is not a member of "
                    + room(job));
            case DISCONNECTED -> new Outcome.Ignored("connection " + job.actor().connectionId()
                    + " disconnected recently; its late " + job.type().wireName() + " is ignored");
            case EVICTED -> new Outcome.Ignored("connection " + job.actor().connectionId()
                    + " was evicted as a ghost and has no heartbeat since; its late " + job.type().wireName() + " is ignored");
            case NOT_STALE -> new Outcome.Ignored("connection " + job.actor().connectionId()
                    + " is no ghost: its heartbeat is newer than the stale one, or gone with its session");
            case CHANGED -> new Outcome.Applied(events(job, result.rooms(), result.timestamp()));
        };
    }

    private static StoreCommand command(PresenceJob job, String timestamp) {
        ConnectionId connection = job.actor().connectionId();
        return job.match(
                join -> new StoreCommand.Join(join.id(), join.room(), connection, memberJson(join, timestamp), timestamp),
                update -> new StoreCommand.Update(update.id(), update.room(), connection, memberJson(update, timestamp),
                        timestamp),
                leave -> new StoreCommand.Leave(leave.id(), leave.room(), connection, timestamp),
                disconnect -> new StoreCommand.Disconnect(disconnect.id(), connection, timestamp));
    }

    /** The room of a leave or update, the only jobs the store can find not a member. */
    private static NspRoomId room(PresenceJob job) {
        return job.match(PresenceJob.Join::room, PresenceJob.Update::room, PresenceJob.Leave::room, disconnect -> {
            throw new IllegalStateException("a disconnect names no room");
        });
    }

    private static List<PresenceEvent> events(PresenceJob job, List<NspRoomId> rooms, String timestamp) {
        Member member = member(job, timestamp);
        List<PresenceEvent> events = new ArrayList<>(rooms.size());
        for (NspRoomId room : rooms)
            events.add(new PresenceEvent(room, member, job.actor().sessionJson(), job.latencyLog()));
        return events;
    }

    private static String memberJson(PresenceJob job, String timestamp) {
        return PresenceJson.member(member(job, timestamp));
    }

    private static Member member(PresenceJob job, String timestamp) {
        // A disconnect carries no data: each of its leaves broadcasts null.
        String dataJson = job.match(PresenceJob.Join::dataJson, PresenceJob.Update::dataJson, PresenceJob.Leave::dataJson,
                disconnect -> "null");
        return new Member(job.actor().clientId(), job.actor().connectionId(), dataJson, timestamp,
                job.type().event(), job.actor().userJson());
    }

    /** One job to apply; {@code evicting} when it is the eviction of that ghost rather than a disconnect. */
    private record Attempt(int index, PresenceJob job, boolean redelivered, Optional<Ghost> evicting) {
        Attempt asRedelivery() {
            return new Attempt(index, job, true, evicting);
        }
    }
}
