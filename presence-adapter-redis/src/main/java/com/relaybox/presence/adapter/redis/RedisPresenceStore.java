package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.Liveness;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;
import com.relaybox.presence.redis.RedisPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The presence sets in Redis, on RelayBox's key layout (CONTRACT §3), so the RelayBox realtime
 * service reads them as it always has.
 *
 * <p>Each command is one call of {@code apply.lua}: the job-id record, the tombstone, the
 * membership check and every change to the room's keys happen in one atomic step on the server,
 * so no reader sees half a job and no crash leaves half a job behind. A batch is one pipelined
 * round trip; with more than one command it is wrapped in {@code MULTI}/{@code EXEC}, so a script
 * cache flushed under a batch (a Redis restart, {@code SCRIPT FLUSH}) fails every command of the
 * batch alike and the batch is retried whole, in order, after {@code SCRIPT LOAD}.
 *
 * <p>A disconnect is one script too: it reads the rooms from the connection's presence-sets and
 * leaves them all in the same step. Those room keys cannot be declared in {@code KEYS}, which a
 * standalone Redis (and a primary with replicas) allows; Redis Cluster is not supported anyway,
 * because RelayBox's keys of one job (room, connection) lie in different hash slots.
 *
 * <p>Ghosts (CONTRACT §8): the heartbeats are RelayBox's sorted set ({@link RedisSettings#heartbeatKey}),
 * read a page at a time from the oldest by {@code stale.lua}; an eviction is {@code apply.lua} too,
 * deciding against the heartbeat's score in the same step; the sweeper's role is a key with a TTL
 * ({@code lead.lua}); unconfirmed evictions are a sorted set of ghost records. Both are named after
 * the heartbeat key, so each set of heartbeats has its own sweeper.
 *
 * <p>Failures: a Redis that cannot be reached, times out, is loading, read-only or out of memory
 * gives {@link DependencyUnavailableException} (retry later; the pool drops its idle connections,
 * so a restarted Redis is used again without rebuilding the store). A key of the wrong type or a
 * value this service did not write gives {@link CorruptStateException} naming the key; nothing of
 * that job changed.
 *
 * <p>Sentinel ({@link RedisPool}): after a failover the next connection goes to the new primary;
 * the calls that were on the old one fail as above and are retried. The new primary's script
 * cache may lack the scripts (a replica does not get {@code SCRIPT LOAD}): {@code NOSCRIPT} loads
 * them again, as after a restart. With {@link RedisSettings#replicaWait()} a batch's round trip ends
 * with {@code WAIT}, so {@link #apply} returns only once that many replicas have its changes: an
 * applied batch then survives the primary's loss as long as one of those replicas does.
 */
public final class RedisPresenceStore implements PresenceStore, Liveness, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisPresenceStore.class);
    private static final LuaScript APPLY = LuaScript.load("apply.lua");
    private static final LuaScript MEMBER_PAGE = LuaScript.load("member-page.lua");
    private static final LuaScript STALE = LuaScript.load("stale.lua");
    private static final LuaScript LEAD = LuaScript.load("lead.lua");
    private static final String[] NO_ARGS = {};

    private final String where;
    private final String jobMemoryMillis;
    private final String duplicateWindowMillis;
    private final String tombstoneMillis;
    private final String heartbeats;
    private final String sweeperLease;
    private final String unconfirmedEvictions;
    private final RedisPool pool;
    private final UnifiedJedis client;
    private final RedisSettings.ReplicaWait replicaWait;
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final AtomicBoolean shortening = new AtomicBoolean(true);
    private final JobMemoryShortener shortener;
    private volatile boolean closed;

    public RedisPresenceStore(RedisSettings settings) {
        Objects.requireNonNull(settings, "settings");
        this.where = settings.endpoint().describe();
        this.replicaWait = settings.replicaWait();
        this.jobMemoryMillis = Long.toString(settings.jobMemory().unacknowledged().toMillis());
        this.duplicateWindowMillis = Long.toString(settings.jobMemory().duplicateWindow().toMillis());
        this.tombstoneMillis = Long.toString(settings.tombstone().toMillis());
        this.heartbeats = settings.heartbeatKey();
        this.sweeperLease = RedisKeys.sweeperLease(heartbeats);
        this.unconfirmedEvictions = RedisKeys.unconfirmedEvictions(heartbeats);

        try {
            // A batch's reply comes after its WAIT: the read may take the wait on top of the timeout.
            Duration readTimeout = replicaWait.replicas() == 0 ? settings.timeout()
                    : settings.timeout().plus(replicaWait.timeout());
            this.pool = RedisPool.open(settings.endpoint(), "presence", settings.poolSize(), settings.timeout(), readTimeout);
        } catch (JedisException e) {
            // Only Sentinel can fail here: without an answer there is no primary to wait for.
            throw new DependencyUnavailableException("Redis " + where + ": no Sentinel tells where the primary is: "
                    + e.getMessage(), e);
        }
        this.client = pool.client();
        this.shortener = new JobMemoryShortener(where, this::shortenNow, settings.timeout().multipliedBy(2));
        log.info("event=redis_store_open redis={} primary={} tls={} auth={} pool_size={} timeout_ms={} wait_replicas={}"
                        + " wait_timeout_ms={}", where, pool.primary(), settings.endpoint().tls(),
                settings.endpoint().authToken().isPresent() ? "token" : "none", settings.poolSize(),
                settings.timeout().toMillis(), replicaWait.replicas(), replicaWait.timeout().toMillis());
        try {
            loadScripts();
        } catch (JedisException e) {
            available.set(false);
            log.warn("event=redis_unavailable redis={} at_start=true error={}", where,
                    Logfmt.quote(String.valueOf(e.getMessage())));
        }
    }

    // ---- writes

    @Override
    public List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
        ensureOpen();
        if (commands.isEmpty()) return List.of();
        List<String[]> calls = new ArrayList<>(commands.size());
        for (StoreCommand command : commands) calls.add(fenced(evalsha(command), command, token));
        List<Object> replies = run("apply", () -> pipelined(calls));
        if (isNoScript(replies.get(0))) {
            // Inside MULTI/EXEC every command saw the same script cache: none of them ran.
            replies = run("apply", () -> {
                loadScripts();
                return pipelined(calls);
            });
        }
        return results(commands, replies);
    }

    /**
     * {@code INCR} of {@code presence-fence:<resource>}, the key each command fenced with the token
     * compares it with ({@code apply.lua}); with a replica wait, the same round trip waits for the
     * replicas, so that a failover does not hand out the number again. A missing key starts from the
     * time in microseconds, so a Redis that lost its data (a restart without persistence) does not
     * hand out a number it gave before: that would take a thousand takes per millisecond.
     */
    @Override
    public FencingToken takeFencingToken(String resource) {
        ensureOpen();
        String key = RedisKeys.fence(resource);
        long value = run(key, () -> {
            try (AbstractPipeline pipeline = client.pipelined()) {
                pipeline.sendCommand(Command.SET, key, Long.toString(System.currentTimeMillis() * 1000), "NX");
                Response<Object> taken = pipeline.sendCommand(Command.INCR, key);
                Response<Object> replicated = sendWait(pipeline);
                pipeline.sync();
                Object reply = replyOrError(taken);
                if (reply instanceof JedisDataException error) throw error;
                if (replicated != null) requireReplicated(replyOrError(replicated));
                return (Long) reply;
            }
        });
        return new FencingToken(resource, value);
    }

    /**
     * Hands the jobs to the {@link JobMemoryShortener}, which sends what every shard acknowledged
     * within its linger as one pipeline of {@code PEXPIRE}s, off the caller's thread; a job record
     * that has expired already stays gone. A failure is one WARN line until it works again.
     */
    @Override
    public void jobsAcknowledged(List<JobId> jobs) {
        if (!closed) shortener.offer(jobs);
    }

    private void shortenNow(List<JobId> jobs) {
        try {
            run("job memory", () -> {
                try (AbstractPipeline pipeline = client.pipelined()) {
                    List<Response<Object>> replies = new ArrayList<>(jobs.size());
                    for (JobId job : jobs)
                        replies.add(pipeline.sendCommand(Command.PEXPIRE, RedisKeys.job(job), duplicateWindowMillis));
                    pipeline.sync();
                    for (Response<Object> reply : replies)
                        if (replyOrError(reply) instanceof JedisDataException error) throw error;
                }
                return null;
            });
            if (shortening.compareAndSet(false, true)) log.info("event=job_memory_shortened_again redis={}", where);
        } catch (RuntimeException e) {
            if (shortening.compareAndSet(true, false))
                log.warn("event=job_memory_not_shortened redis={} jobs={} error={} detail=\"acknowledged jobs stay "
                        + "remembered for the whole job memory until this works again; harmless\"", where, jobs.size(),
                        Logfmt.quote(String.valueOf(e.getMessage())));
        }
    }

    /** {@code EVALSHA} arguments of one command; see apply.lua for KEYS and ARGV. */
    private String[] evalsha(StoreCommand command) {
        return command.match(
                join -> withMember(inRoom(join, "join", join.room()), join.memberJson()),
                update -> withMember(inRoom(update, "update", update.room()), update.memberJson()),
                leave -> inRoom(leave, "leave", leave.room()),
                disconnect -> new String[]{APPLY.sha(), "3", RedisKeys.job(disconnect.jobId()),
                        RedisKeys.presenceSets(disconnect.connection()), RedisKeys.tombstone(disconnect.connection()),
                        "disconnect", disconnect.connection().value(), disconnect.timestamp(), jobMemoryMillis,
                        tombstoneMillis},
                evict -> new String[]{APPLY.sha(), "5", RedisKeys.job(evict.jobId()),
                        RedisKeys.presenceSets(evict.connection()), RedisKeys.tombstone(evict.connection()), heartbeats,
                        unconfirmedEvictions,
                        "evict", evict.connection().value(), evict.timestamp(), jobMemoryMillis, tombstoneMillis,
                        Long.toString(evict.ghost().heartbeatMillis()), PresenceJson.ghost(evict.ghost())});
    }

    /**
     * The call with its fence at the end, as apply.lua reads it: the token's key, and the token; with
     * no token an empty one, and the job's own key in the fence key's place (it is not read).
     */
    private static String[] fenced(String[] call, StoreCommand command, Optional<FencingToken> token) {
        int keys = Integer.parseInt(call[1]);
        String[] fenced = new String[call.length + 2];
        fenced[0] = call[0];
        fenced[1] = Integer.toString(keys + 1);
        System.arraycopy(call, 2, fenced, 2, keys);
        fenced[2 + keys] = token.map(taken -> RedisKeys.fence(taken.resource())).orElse(RedisKeys.job(command.jobId()));
        System.arraycopy(call, 2 + keys, fenced, 3 + keys, call.length - 2 - keys);
        fenced[fenced.length - 1] = token.map(taken -> Long.toString(taken.value())).orElse("");
        return fenced;
    }

    private String[] inRoom(StoreCommand command, String kind, NspRoomId room) {
        return new String[]{APPLY.sha(), "6", RedisKeys.job(command.jobId()), RedisKeys.members(room),
                RedisKeys.index(room), RedisKeys.presenceSets(command.connection()),
                RedisKeys.tombstone(command.connection()), heartbeats,
                kind, command.connection().value(), command.timestamp(), jobMemoryMillis, room.toString()};
    }

    private static String[] withMember(String[] call, String memberJson) {
        String[] withMember = Arrays.copyOf(call, call.length + 1);
        withMember[call.length] = memberJson;
        return withMember;
    }

    /**
     * One round trip: the replies in order, a server error as a {@link JedisDataException} in its
     * place. More than one command go in one {@code MULTI}/{@code EXEC}. With a replica wait, the
     * round trip ends with {@code WAIT}, and fewer replicas than asked is a failure of the whole
     * batch (applied on the primary, so its retry is a repeat that changes nothing and waits again).
     */
    private List<Object> pipelined(List<String[]> calls) {
        try (AbstractPipeline pipeline = client.pipelined()) {
            List<Object> replies;
            Response<Object> replicated;
            if (calls.size() == 1) {
                Response<Object> reply = pipeline.sendCommand(Command.EVALSHA, calls.get(0));
                replicated = sendWait(pipeline);
                pipeline.sync();
                replies = Collections.singletonList(replyOrError(reply));
            } else {
                List<Response<Object>> queued = new ArrayList<>(calls.size() + 1);
                queued.add(pipeline.sendCommand(Command.MULTI, NO_ARGS));
                for (String[] call : calls) queued.add(pipeline.sendCommand(Command.EVALSHA, call));
                Response<Object> exec = pipeline.sendCommand(Command.EXEC, NO_ARGS);
                replicated = sendWait(pipeline);
                pipeline.sync();
                replies = execReplies(calls.size(), queued, exec);
            }
            if (replicated != null && !isNoScript(replies.get(0))) requireReplicated(replyOrError(replicated));
            return replies;
        }
    }

    private static List<Object> execReplies(int calls, List<Response<Object>> queued, Response<Object> exec) {
        Object executed = replyOrError(exec);
        if (executed instanceof JedisDataException aborted) {
            // EXECABORT: a command was refused while queueing (out of memory, ...); say which error.
            for (Response<Object> response : queued)
                if (replyOrError(response) instanceof JedisDataException refused)
                    return Collections.nCopies(calls, refused);
            return Collections.nCopies(calls, aborted);
        }
        if (!(executed instanceof List<?> list) || list.size() != calls)
            throw new JedisDataException("ERR EXEC answered " + describe(executed) + " for " + calls + " commands");
        return new ArrayList<>(list);
    }

    private Response<Object> sendWait(AbstractPipeline pipeline) {
        if (replicaWait.replicas() == 0) return null;
        return pipeline.sendCommand(Command.WAIT, Integer.toString(replicaWait.replicas()),
                Long.toString(replicaWait.timeout().toMillis()));
    }

    private void requireReplicated(Object reply) {
        if (reply instanceof JedisDataException error) throw error;
        long replicas = reply instanceof Long count ? count : -1;
        if (replicas < replicaWait.replicas())
            throw new DependencyUnavailableException("Redis " + where + " (primary " + pool.primary() + ") has the batch on "
                    + Math.max(0, replicas) + " of the " + replicaWait.replicas() + " replicas asked for after "
                    + replicaWait.timeout().toMillis() + " ms; not confirmed, so it is retried");
    }

    private List<StoreResult> results(List<StoreCommand> commands, List<Object> replies) {
        List<StoreResult> results = new ArrayList<>(commands.size());
        RuntimeException failure = null;
        for (int i = 0; i < commands.size(); i++) {
            StoreCommand command = commands.get(i);
            Object reply = replies.get(i);
            if (reply instanceof JedisDataException error) {
                if (failure == null) failure = serverError(error, "job " + command.jobId() + " (" + command.type().wireName() + ")");
            } else {
                results.add(result(command, reply));
            }
        }
        if (failure == null) return results;
        if (commands.size() > 1 && results.size() > 0) {
            String others = "; " + results.size() + " of the batch's " + commands.size() + " commands were applied";
            failure = failure instanceof CorruptStateException
                    ? new CorruptStateException(failure.getMessage() + others, failure.getCause())
                    : new DependencyUnavailableException(failure.getMessage() + others, failure.getCause());
        }
        throw failure;
    }

    private StoreResult result(StoreCommand command, Object reply) {
        String job = RedisKeys.job(command.jobId());
        List<String> fields = strings(reply);
        if (fields == null || fields.size() < 3)
            throw new IllegalStateException("apply.lua answered " + describe(reply) + " for " + job);
        boolean repeat = "1".equals(fields.get(0));
        StoreResult.Effect effect;
        switch (fields.get(1)) {
            case "C":
                effect = StoreResult.Effect.CHANGED;
                break;
            case "N":
                effect = StoreResult.Effect.NOT_A_MEMBER;
                break;
            case "D":
                effect = StoreResult.Effect.DISCONNECTED;
                break;
            case "E":
                effect = StoreResult.Effect.EVICTED;
                break;
            case "S":
                effect = StoreResult.Effect.NOT_STALE;
                break;
            default:
                throw new CorruptStateException(job + " holds an unknown effect '" + fields.get(1) + "'");
        }
        try {
            List<NspRoomId> rooms = new ArrayList<>(fields.size() - 3);
            for (String room : fields.subList(3, fields.size())) rooms.add(NspRoomId.parse(room));
            return new StoreResult(repeat, effect, rooms, fields.get(2));
        } catch (IllegalArgumentException e) {
            throw new CorruptStateException(job + " is not a job record of the presence service: " + e.getMessage(), e);
        }
    }

    // ---- reads

    @Override
    public List<Member> memberPage(NspRoomId room, int offset, int count) {
        ensureOpen();
        if (offset < 0 || count < 0)
            throw new IllegalArgumentException("offset and count must be >= 0, got " + offset + ", " + count);
        if (count == 0) return List.of();
        String index = RedisKeys.index(room);
        String members = RedisKeys.members(room);
        List<String> keys = List.of(index, members);
        List<String> args = List.of(Integer.toString(offset), Long.toString((long) offset + count - 1));
        Object reply = run(index, () -> evalsha(MEMBER_PAGE, keys, args));
        List<?> parts = reply instanceof List<?> list && list.size() == 2 ? list : null;
        List<String> ids = parts == null ? null : strings(parts.get(0));
        List<String> values = parts == null ? null : strings(parts.get(1));
        if (ids == null || values == null || ids.size() != values.size())
            throw new IllegalStateException("member-page.lua answered " + describe(reply) + " for " + index);
        List<Member> page = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            String value = values.get(i);
            if (value == null)
                throw new CorruptStateException(index + " names connection " + ids.get(i) + " but " + members
                        + " has no such field");
            try {
                page.add(PresenceJson.parseMember(value));
            } catch (CorruptStateException e) {
                throw new CorruptStateException(members + " field " + ids.get(i) + ": " + e.getMessage(), e);
            }
        }
        return page;
    }

    @Override
    public long count(NspRoomId room) {
        ensureOpen();
        String index = RedisKeys.index(room);
        return run(index, () -> client.llen(index));
    }

    @Override
    public boolean isMember(NspRoomId room, ConnectionId connection) {
        ensureOpen();
        String members = RedisKeys.members(room);
        return run(members, () -> client.hexists(members, connection.value()));
    }

    @Override
    public List<NspRoomId> rooms(ConnectionId connection) {
        ensureOpen();
        String sets = RedisKeys.presenceSets(connection);
        List<NspRoomId> rooms = new ArrayList<>();
        for (String room : run(sets, () -> client.hkeys(sets))) {
            try {
                rooms.add(NspRoomId.parse(room));
            } catch (IllegalArgumentException e) {
                throw new CorruptStateException(sets + " names '" + room + "', which is not a room: " + e.getMessage(), e);
            }
        }
        return rooms;
    }

    // ---- liveness (CONTRACT §8)

    @Override
    public boolean lead(String candidate, Duration term) {
        ensureOpen();
        List<String> keys = List.of(sweeperLease);
        List<String> args = List.of(candidate, Long.toString(term.toMillis()));
        Object reply = run(sweeperLease, () -> evalsha(LEAD, keys, args));
        return Long.valueOf(1).equals(reply);
    }

    @Override
    public StalePage stale(Instant cutoff, StaleCursor from, int limit) {
        ensureOpen();
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        List<String> keys = List.of(heartbeats);
        List<String> args = List.of(score(from.score()), Integer.toString(from.skip()), Long.toString(cutoff.toEpochMilli()),
                Integer.toString(limit));
        List<String> reply = strings(run(heartbeats, () -> evalsha(STALE, keys, args)));
        if (reply == null || reply.size() < 3 || (reply.size() - 3) % 4 != 0)
            throw new IllegalStateException("stale.lua answered " + reply + " for " + heartbeats);
        int read = Integer.parseInt(reply.get(0));
        List<Ghost> ghosts = new ArrayList<>((reply.size() - 3) / 4);
        for (int i = 3; i < reply.size(); i += 4) {
            ConnectionId connection = new ConnectionId(reply.get(i));
            // A fraction of a millisecond rounds up: an eviction at this heartbeat then still sees it as stale.
            long heartbeat = (long) Math.ceil(Double.parseDouble(reply.get(i + 1)));
            NspRoomId room = NspRoomId.parse(reply.get(i + 2));
            ghosts.add(ghost(connection, heartbeat, room, reply.get(i + 3)));
        }
        Optional<StaleCursor> next = read < limit ? Optional.empty()
                : Optional.of(from.after(Double.parseDouble(reply.get(1)), Integer.parseInt(reply.get(2))));
        return new StalePage(ghosts, next);
    }

    /** A ghost as its member in one room shows it; a member this service did not write leaves it anonymous. */
    private static Ghost ghost(ConnectionId connection, long heartbeat, NspRoomId room, String memberJson) {
        try {
            Member member = PresenceJson.parseMember(memberJson);
            return new Ghost(connection, heartbeat, room.appPid(), member.clientId(), member.userJson());
        } catch (CorruptStateException e) {
            return new Ghost(connection, heartbeat, room.appPid(), Optional.empty(), "null");
        }
    }

    @Override
    public List<Ghost> unconfirmed(int limit) {
        ensureOpen();
        List<Ghost> ghosts = new ArrayList<>();
        for (String record : run(unconfirmedEvictions, () -> client.zrange(unconfirmedEvictions, 0, limit - 1))) {
            try {
                ghosts.add(PresenceJson.parseGhost(record));
            } catch (CorruptStateException e) {
                throw new CorruptStateException(unconfirmedEvictions + ": " + e.getMessage(), e);
            }
        }
        return ghosts;
    }

    @Override
    public void confirmed(List<Ghost> ghosts) {
        ensureOpen();
        if (ghosts.isEmpty()) return;
        String[] records = ghosts.stream().map(PresenceJson::ghost).toArray(String[]::new);
        run(unconfirmedEvictions, () -> client.zrem(unconfirmedEvictions, records));
    }

    private Object evalsha(LuaScript script, List<String> keys, List<String> args) {
        try {
            return client.evalsha(script.sha(), keys, args);
        } catch (JedisDataException e) {
            if (!isNoScript(e)) throw e;
            loadScripts();
            return client.evalsha(script.sha(), keys, args);
        }
    }

    /** A score as ZRANGEBYSCORE takes it, exactly. */
    private static String score(double score) {
        if (score == Double.NEGATIVE_INFINITY) return "-inf";
        return new BigDecimal(score).toPlainString();
    }

    // ---- health and lifecycle

    /**
     * Why Redis cannot serve now, for a readiness check; empty when it answers {@code PING}. A
     * password Redis refuses is "authentication failed", so the operator looks at {@code REDIS_AUTH}
     * rather than at the network. Never throws.
     */
    public Optional<String> problem() {
        if (closed) return Optional.of("closed");
        try {
            String reply = run("PING", client::ping);
            return "PONG".equals(reply) ? Optional.empty() : Optional.of("answers PING with " + reply);
        } catch (DependencyUnavailableException e) {
            return Optional.of(refusedPassword(e) ? "authentication failed" : "does not answer PING");
        }
    }

    private static boolean refusedPassword(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof JedisAccessControlException || message.contains("WRONGPASS") || message.contains("NOAUTH"))
                return true;
        }
        return false;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        shortener.close();
        pool.close();
        log.info("event=redis_store_closed redis={}", where);
    }

    // ---- Redis plumbing

    private void loadScripts() {
        for (LuaScript script : List.of(APPLY, MEMBER_PAGE, STALE, LEAD)) {
            String sha = client.scriptLoad(script.source());
            if (!script.sha().equalsIgnoreCase(sha))
                throw new IllegalStateException("Redis loaded " + script.name() + " as " + sha + ", expected " + script.sha());
        }
    }

    /**
     * Runs one Redis operation and turns every Jedis failure into the port's exceptions:
     * {@code what} (a key, when there is one) goes into the message.
     */
    private <T> T run(String what, Supplier<T> operation) {
        try {
            T result = operation.get();
            if (available.compareAndSet(false, true)) log.info("event=redis_available redis={} primary={}", where, pool.primary());
            return result;
        } catch (JedisConnectionException e) {
            throw unavailable(what, e);
        } catch (JedisDataException e) {
            throw serverError(e, what);
        } catch (JedisException e) {
            throw unavailable(what, e);
        }
    }

    private DependencyUnavailableException unavailable(String what, JedisException e) {
        if (available.compareAndSet(true, false))
            log.warn("event=redis_unavailable redis={} primary={} error={}", where, pool.primary(),
                    Logfmt.quote(String.valueOf(e.getMessage())));
        // Idle connections are likely dead too (a restart, a failover): the retry connects afresh.
        pool.dropIdle();
        return new DependencyUnavailableException("Redis " + where + " unavailable (" + what + "): " + e.getMessage(), e);
    }

    /** A Redis error reply: bad data is corrupt state, everything else is Redis not able to serve now. */
    private RuntimeException serverError(JedisDataException e, String what) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith("FENCED "))
            return new FencedOutException("Redis key " + message.substring("FENCED ".length()) + " (" + what + ")", e);
        if (message.startsWith("CORRUPT "))
            return new CorruptStateException("Redis key " + message.substring("CORRUPT ".length()) + " (" + what + ")", e);
        if (message.startsWith("WRONGTYPE"))
            return new CorruptStateException("Redis key " + what + " is not of the type the presence service writes: " + message, e);
        // LOADING, BUSY, READONLY, MASTERDOWN, OOM, NOAUTH, NOSCRIPT after a reload, ...
        return new DependencyUnavailableException("Redis " + where + " refused " + what + ": " + message, e);
    }

    private static boolean isNoScript(Object reply) {
        return reply instanceof JedisDataException e && e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static Object replyOrError(Response<Object> response) {
        try {
            return response.get();
        } catch (JedisDataException e) {
            return e;
        }
    }

    /** A reply array as strings (UTF-8), a nil element as {@code null}; {@code null} when not an array. */
    private static List<String> strings(Object reply) {
        if (!(reply instanceof List<?> list)) return null;
        List<String> strings = new ArrayList<>(list.size());
        for (Object element : list) {
            if (element == null) strings.add(null);
            else if (element instanceof byte[] bytes) strings.add(new String(bytes, StandardCharsets.UTF_8));
            else if (element instanceof String text) strings.add(text);
            else return null;
        }
        return strings;
    }

    private static String describe(Object reply) {
        return reply == null ? "nil" : reply instanceof List<?> list ? "an array of " + list.size() : reply.getClass().getSimpleName();
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("the Redis presence store is closed");
    }
}
