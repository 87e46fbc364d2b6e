package com.relaybox.presence.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ghost scenario (CONTRACT §8): connections {@code [live, live + ghosts)} join rooms beside the
 * live ones, every connection gets a heartbeat in the service's heartbeat key as RelayBox's session
 * service writes it, and from then on only the live ones are refreshed. Times the ghosts' leave
 * broadcasts from their last heartbeat, and the job stream's latency while they are evicted.
 */
final class Ghosts implements AutoCloseable {
    private static final long REFRESH_MILLIS = 2_000;

    private final BenchOptions options;
    private final JobBodies bodies;
    private final int live;
    private final long expectedLeaves;
    private final Set<String> seen = new HashSet<>();
    private final Histogram duringSweep = new Histogram(3_600_000_000L, 3);
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "heartbeats");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long lastHeartbeatMillis;
    private volatile long lastHeartbeatNanos;
    private long firstLeaveNanos;
    private long lastLeaveNanos;
    private long duplicates;
    private final AtomicInteger refreshFailures = new AtomicInteger();

    Ghosts(BenchOptions options, JobBodies bodies) {
        this.options = options;
        this.bodies = bodies;
        this.live = options.connections();
        this.expectedLeaves = (long) options.ghosts() * options.roomsPerConnection();
    }

    /** The {@code k}-th of a ghost's rooms: distinct for each k below rooms-per-connection. */
    int room(int ghost, int k) {
        return (ghost + k * (options.rooms() / options.roomsPerConnection())) % options.rooms();
    }

    int connection(int ghost) {
        return live + ghost;
    }

    /** Every connection's heartbeat now; then the live ones' every two seconds, the ghosts' never again. */
    void startHeartbeats() {
        lastHeartbeatMillis = System.currentTimeMillis();
        lastHeartbeatNanos = System.nanoTime();
        write(0, live + options.ghosts(), lastHeartbeatMillis);
        refresher.scheduleWithFixedDelay(this::refreshLive, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A failed refresh must not end the refreshing (a scheduled task that throws is never run again). */
    private void refreshLive() {
        try {
            write(0, live, System.currentTimeMillis());
        } catch (RuntimeException e) {
            refreshFailures.incrementAndGet();
        }
    }

    private void write(int from, int to, long millis) {
        try (Jedis jedis = new Jedis(options.redisHost(), options.redisPort()); Pipeline pipeline = jedis.pipelined()) {
            for (int c = from; c < to; c++) pipeline.zadd(options.heartbeatKey(), millis, bodies.connection(c));
            pipeline.sync();
        }
    }

    /** A broadcast that carries no job sequence: a ghost's leave, or something else to ignore. */
    synchronized void onBroadcastWithoutSeq(byte[] body, long now) {
        JsonObject broadcast = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject data = broadcast.getAsJsonObject("data");
        if (data == null || !"leave".equals(data.get("event").getAsString())) return;
        String connection = data.get("connectionId").getAsString();
        int index = Integer.parseInt(connection.substring(connection.lastIndexOf('-') + 1));
        if (index < live) return;
        if (!seen.add(broadcast.get("nspRoomId").getAsString() + " " + connection)) {
            duplicates++;
            return;
        }
        if (firstLeaveNanos == 0) firstLeaveNanos = now;
        lastLeaveNanos = now;
    }

    /** A job's broadcast arrived: counted as during the sweep while ghosts' leaves are still coming. */
    synchronized void onJobBroadcast(long latencyMicros) {
        if (firstLeaveNanos != 0 && seen.size() < expectedLeaves)
            duringSweep.recordValue(Math.min(latencyMicros, duringSweep.getHighestTrackableValue()));
    }

    synchronized boolean allLeft() {
        return seen.size() >= expectedLeaves;
    }

    synchronized JsonObject report() {
        JsonObject result = new JsonObject();
        result.addProperty("ghosts", options.ghosts());
        result.addProperty("livenessTimeoutSeconds", options.livenessTimeoutSeconds());
        result.addProperty("leavesExpected", expectedLeaves);
        result.addProperty("leavesReceived", seen.size());
        result.addProperty("duplicateLeaves", duplicates);
        result.addProperty("heartbeatRefreshFailures", refreshFailures.get());
        result.addProperty("secondsToFirstLeave", seconds(firstLeaveNanos));
        result.addProperty("secondsToLastLeave", seconds(lastLeaveNanos));
        result.addProperty("secondsBeyondTimeout", firstLeaveNanos == 0 ? -1
                : Math.round((seconds(lastLeaveNanos) - options.livenessTimeoutSeconds()) * 100) / 100.0);
        result.addProperty("streamBroadcastsDuringSweep", duringSweep.getTotalCount());
        result.addProperty("streamP50MillisDuringSweep", millis(50));
        result.addProperty("streamP99MillisDuringSweep", millis(99));
        result.addProperty("streamMaxMillisDuringSweep",
                duringSweep.getTotalCount() == 0 ? 0 : duringSweep.getMaxValue() / 1000.0);
        return result;
    }

    long lastHeartbeatMillis() {
        return lastHeartbeatMillis;
    }

    private double seconds(long nanos) {
        return nanos == 0 ? -1 : Math.round((nanos - lastHeartbeatNanos) / 1e7) / 100.0;
    }

    private double millis(double percentile) {
        return duringSweep.getTotalCount() == 0 ? 0 : duringSweep.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Stops refreshing and removes the run's heartbeats. */
    @Override
    public void close() {
        refresher.shutdownNow();
        try (Jedis jedis = new Jedis(options.redisHost(), options.redisPort()); Pipeline pipeline = jedis.pipelined()) {
            for (int c = 0; c < live + options.ghosts(); c++) pipeline.zrem(options.heartbeatKey(), bodies.connection(c));
            pipeline.sync();
        }
    }
}
