package com.relaybox.presence.adapter.postgres;

import com.google.gson.JsonParser;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Presence history in PostgreSQL (CONTRACT §5): one table of events, created and upgraded by
 * versioned migrations at start, read per room over a time range, purged after the retention.
 *
 * <p>The constructor builds the pool and checks that the database takes this login, creating
 * nothing; {@link #start} migrates the schema, once every other dependency has answered too (a
 * start that fails on another dependency leaves no schema behind). When the database cannot be
 * reached, it starts all the same (history waits in the outbox) and migrates on first use; a
 * login or database name the server rejects stops it at once.
 *
 * <p>Failures: {@link DependencyUnavailableException} when the server cannot be reached, is
 * restarting or is out of connections; {@link IllegalStateException} for anything else.
 */
public final class PostgresHistory implements HistoryRecorder, HistoryReader, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresHistory.class);
    static final String MIGRATIONS = "classpath:com/relaybox/presence/adapter/postgres/migration";

    private final PostgresSettings settings;
    private final HistoryRetention retention;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final Flyway flyway;
    private final ScheduledExecutorService purger;
    private final String insertSql;
    private final String insertKeepingJsonAsTextSql;
    private final String readSql;
    private final String purgeSql;
    private volatile boolean migrated;

    public PostgresHistory(PostgresSettings settings, HistoryRetention retention) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.retention = Objects.requireNonNull(retention, "retention");
        String table = settings.schema() + ".presence_event";
        this.insertSql = insertSql(table, "d::jsonb", "u::jsonb");
        this.insertKeepingJsonAsTextSql = insertSql(table, "to_jsonb(d)", "to_jsonb(u)");
        this.readSql = "SELECT job_id, event_index, app, room, connection_id, client_id, event, data::text AS data,"
                + " user_info::text AS user_info, event_at FROM " + table
                + " WHERE app = :app AND room = :room AND event_at >= :from::timestamptz AND event_at < :to::timestamptz"
                + " ORDER BY event_at DESC, id DESC LIMIT :limit";
        this.purgeSql = "DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table
                + " WHERE recorded_at < now() - make_interval(days => :days) LIMIT :rows FOR UPDATE SKIP LOCKED)";

        var direct = Connections.direct(settings);
        this.flyway = Flyway.configure(PostgresHistory.class.getClassLoader())
                .dataSource(direct)
                .schemas(settings.schema())
                .createSchemas(true)
                .locations(MIGRATIONS)
                .failOnMissingLocations(true)
                .load();
        this.pool = Connections.pool(settings, direct);
        this.jdbi = Jdbi.create(pool);
        try (var login = direct.getConnection()) {
            login.isValid(1);
        } catch (java.sql.SQLException e) {
            RuntimeException failure = Failures.translate("connecting", new IllegalStateException(e));
            if (failure instanceof DependencyUnavailableException) {
                unreachableAtStart(failure);
            } else {
                pool.close();
                throw failure;
            }
        }
        this.purger = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "presence-history-purge");
            thread.setDaemon(true);
            return thread;
        });
        if (!retention.keepsForever()) {
            long everyMs = retention.every().toMillis();
            purger.scheduleWithFixedDelay(this::purgeQuietly, Math.min(everyMs, 60_000), everyMs, TimeUnit.MILLISECONDS);
        }
    }

    private static String insertSql(String table, String data, String user) {
        return "INSERT INTO " + table
                + " (app, room, connection_id, client_id, event, data, user_info, event_at, job_id, event_index)"
                + " SELECT app, room, conn, client, ev, " + data + ", " + user + ", ts::timestamptz, job, idx"
                + " FROM unnest(:app::text[], :room::text[], :conn::text[], :client::text[], :ev::text[],"
                + " :d::text[], :u::text[], :ts::text[], :job::text[], :idx::int[])"
                + " AS r(app, room, conn, client, ev, d, u, ts, job, idx)"
                + " ON CONFLICT (job_id, event_index) DO NOTHING";
    }

    /**
     * Migrates the schema, after every dependency of the service has answered; when the database
     * cannot be reached now, on first use instead.
     */
    public void start() {
        try {
            migrate();
        } catch (DependencyUnavailableException e) {
            unreachableAtStart(e);
        }
    }

    private void unreachableAtStart(RuntimeException e) {
        log.warn("event=postgres_unavailable postgres={}:{} at_start=true schema={} detail=\"migrated on first use\" "
                + "error={}", settings.host(), settings.port(), settings.schema(), Logfmt.quote(String.valueOf(e.getMessage())));
    }

    /** Brings the schema to the latest version; a no-op when it is there. Returns the migrations applied. */
    public synchronized int migrate() {
        if (migrated) return 0;
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (RuntimeException e) {
            throw Failures.translate("migrating schema " + settings.schema(), e);
        }
        migrated = true;
        log.info("event=postgres_migrated postgres={}:{}/{} schema={} version={} migrations_applied={}", settings.host(),
                settings.port(), settings.database(), settings.schema(), result.targetSchemaVersion != null
                        ? result.targetSchemaVersion : flyway.info().current().getVersion(), result.migrationsExecuted);
        return result.migrationsExecuted;
    }

    private void ensureMigrated() {
        if (!migrated) migrate();
    }

    /**
     * Inserts the records in one statement (one transaction); a record whose {@code (jobId,
     * eventIndex)} is there already is skipped. A record whose JSON PostgreSQL's {@code jsonb}
     * refuses (a {@code \u0000} in a string, a number beyond its range) is kept with that JSON as
     * a JSON string of its text, so one bad record never blocks the history behind it. Synchronous:
     * the future is done, committed or failed, when this returns.
     */
    @Override
    public CompletableFuture<Void> record(List<HistoryRecord> records) {
        return Confirmations.ofSynchronous(() -> insert(records));
    }

    private void insert(List<HistoryRecord> records) {
        if (records.isEmpty()) return;
        try {
            ensureMigrated();
            insert(insertSql, records, false);
        } catch (RuntimeException e) {
            if (!Failures.dataException(e)) throw Failures.translate("recording history", e);
            recordOneByOne(records);
        }
    }

    private void recordOneByOne(List<HistoryRecord> records) {
        for (HistoryRecord record : records) {
            try {
                insert(insertSql, List.of(record), false);
            } catch (RuntimeException e) {
                if (!Failures.dataException(e)) throw Failures.translate("recording history", e);
                log.warn("event=history_record_kept_as_text job={} event_index={} detail=\"NUL characters replaced, data"
                        + " and user kept as JSON strings\" error={}", Logfmt.quote(printable(record.jobId().value())),
                        record.eventIndex(), Logfmt.quote(Failures.rootMessage(e)));
                try {
                    insert(insertKeepingJsonAsTextSql, List.of(record), true);
                } catch (RuntimeException again) {
                    throw Failures.translate("recording history", again);
                }
            }
        }
    }

    private void insert(String sql, List<HistoryRecord> records, boolean withoutNul) {
        int n = records.size();
        String[] app = new String[n], room = new String[n], conn = new String[n], client = new String[n];
        String[] event = new String[n], data = new String[n], user = new String[n], ts = new String[n];
        String[] job = new String[n];
        Integer[] index = new Integer[n];
        for (int i = 0; i < n; i++) {
            HistoryRecord record = records.get(i);
            app[i] = text(record.room().appPid(), withoutNul);
            room[i] = text(record.room().roomId(), withoutNul);
            conn[i] = text(record.connectionId().value(), withoutNul);
            client[i] = record.clientId().map(c -> text(c, withoutNul)).orElse(null);
            event[i] = record.event().wireName();
            data[i] = "null".equals(record.dataJson()) ? null : record.dataJson();
            user[i] = "null".equals(record.userJson()) ? null : record.userJson();
            ts[i] = timestamptz(record.timestamp());
            job[i] = text(record.jobId().value(), withoutNul);
            index[i] = record.eventIndex();
        }
        jdbi.useHandle(handle -> {
            Update update = handle.createUpdate(sql);
            update.bindArray("app", String.class, (Object[]) app)
                    .bindArray("room", String.class, (Object[]) room)
                    .bindArray("conn", String.class, (Object[]) conn)
                    .bindArray("client", String.class, (Object[]) client)
                    .bindArray("ev", String.class, (Object[]) event)
                    .bindArray("d", String.class, (Object[]) data)
                    .bindArray("u", String.class, (Object[]) user)
                    .bindArray("ts", String.class, (Object[]) ts)
                    .bindArray("job", String.class, (Object[]) job)
                    .bindArray("idx", Integer.class, (Object[]) index)
                    .execute();
        });
    }

    private static final Instant FIRST_YEAR = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant PAST_YEAR_9999 = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /**
     * An instant as PostgreSQL reads it: ISO-8601 for the years 1 to 9999, beyond them
     * {@code infinity} or {@code -infinity} (an event time out there is nonsense, but must not
     * make its record impossible to keep).
     */
    static String timestamptz(Instant instant) {
        if (instant.isBefore(FIRST_YEAR)) return "-infinity";
        if (instant.isAfter(PAST_YEAR_9999)) return "infinity";
        return instant.toString();
    }

    private static String printable(String text) {
        String flat = text.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 100 ? flat : flat.substring(0, 100) + "...";
    }

    /** PostgreSQL text cannot hold U+0000; the fallback path stores U+FFFD in its place. */
    private static String text(String value, boolean withoutNul) {
        return withoutNul ? value.replace('\u0000', '\uFFFD') : value;
    }

    @Override
    public List<HistoryRecord> history(NspRoomId room, Instant from, Instant to, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        try {
            ensureMigrated();
            return jdbi.withHandle(handle -> handle.createQuery(readSql)
                    .bind("app", room.appPid())
                    .bind("room", room.roomId())
                    .bind("from", timestamptz(from))
                    .bind("to", timestamptz(to))
                    .bind("limit", limit)
                    .map((rs, ctx) -> row(rs))
                    .list());
        } catch (RuntimeException e) {
            throw Failures.translate("reading history", e);
        }
    }

    private static HistoryRecord row(ResultSet rs) throws SQLException {
        String data = compact(rs.getString("data"));
        String user = compact(rs.getString("user_info"));
        return new HistoryRecord(new JobId(rs.getString("job_id")), rs.getInt("event_index"),
                new NspRoomId(rs.getString("app"), rs.getString("room")), new ConnectionId(rs.getString("connection_id")),
                Optional.ofNullable(rs.getString("client_id")), EventType.fromWire(rs.getString("event")),
                data, user, instant(rs.getObject("event_at", OffsetDateTime.class)));
    }

    /** The driver reads {@code infinity} and {@code -infinity} as OffsetDateTime's MAX and MIN. */
    private static Instant instant(OffsetDateTime time) {
        if (time.equals(OffsetDateTime.MAX)) return Instant.MAX;
        if (time.equals(OffsetDateTime.MIN)) return Instant.MIN;
        return time.toInstant();
    }

    /** jsonb prints {@code {"a": 1}}; members and broadcasts carry compact JSON, and so does history. SQL NULL is JSON null. */
    private static String compact(String jsonb) {
        return jsonb == null ? "null" : JsonParser.parseString(jsonb).toString();
    }

    /**
     * Deletes the records recorded more than the retention ago, at most {@code batchRows} per
     * statement, until fewer than that are left. Returns how many were deleted. Several
     * instances may purge at once: each statement skips rows another one holds.
     */
    public long purgeExpired() {
        if (retention.keepsForever()) return 0;
        long total = 0;
        try {
            ensureMigrated();
            int deleted;
            do {
                deleted = jdbi.withHandle(handle -> handle.createUpdate(purgeSql)
                        .bind("days", retention.days())
                        .bind("rows", retention.batchRows())
                        .execute());
                total += deleted;
            } while (deleted >= retention.batchRows());
        } catch (RuntimeException e) {
            throw Failures.translate("purging history older than " + retention.days() + " days (" + total
                    + " rows deleted so far)", e);
        }
        return total;
    }

    private void purgeQuietly() {
        try {
            long deleted = purgeExpired();
            if (deleted > 0) log.info("event=history_purged records={} older_than_days={}", deleted, retention.days());
        } catch (RuntimeException e) {
            log.warn("event=history_purge_failed next_try_in={} error={}", retention.every(),
                    Logfmt.quote(String.valueOf(e.getMessage())));
        }
    }

    /** Whether the database answers a trivial query now (waits at most a few seconds). */
    public boolean isHealthy() {
        try {
            return jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        purger.shutdownNow();
        pool.close();
        log.info("event=postgres_closed postgres={}:{}", settings.host(), settings.port());
    }
}
