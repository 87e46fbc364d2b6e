package com.relaybox.presence.adapter.bullmq;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.testkit.RedisKeys;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A BullMQ queue of a test's own (a key prefix of its own, every key deleted at close), driven by
 * the real npm {@code bullmq} 5.16.0 through {@code src/test/node/bullmq.js}: jobs are enqueued as
 * RelayBox's realtime service enqueues them, and read back with BullMQ's own API. The first use in
 * a JVM runs {@code npm ci} when the fixture's packages are missing or older than its lock file.
 *
 * <p>Other modules' tests use it from this module's test-jar: their build names the fixture's
 * directory in the system property {@code presence.bullmq.fixture} (by default this module's
 * {@code src/test/node}, relative to the working directory).
 */
public final class BullMqQueue implements AutoCloseable {
    private static final Path FIXTURE = Path.of(System.getProperty("presence.bullmq.fixture",
            Path.of("src", "test", "node").toString())).toAbsolutePath();
    private static boolean installed;

    public final String prefix;
    public final String queue = "presence";
    public final RedisClient redis;
    private final String host;
    private final int port;

    /** A queue on the shared Redis (127.0.0.1:6379). */
    public BullMqQueue() {
        this("127.0.0.1", 6379);
    }

    /** A queue on the Redis at {@code host:port}, e.g. a private server a test restarts. */
    public BullMqQueue(String host, int port) {
        this(host, port, "presence-it-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private BullMqQueue(String host, int port, String prefix) {
        this.prefix = prefix;
        this.host = host;
        this.port = port;
        this.redis = RedisClient.builder().hostAndPort(host, port).build();
        install();
    }

    /**
     * The same queue (the same prefix) on another server: the primary after a failover. Closing it
     * deletes the queue's keys there too.
     */
    public BullMqQueue at(String host, int port) {
        return new BullMqQueue(host, port, prefix);
    }

    BullMqSettings settings() {
        return BullMqSettings.of(host, port, false, java.util.Optional.empty()).withQueue(prefix, queue);
    }

    public int port() {
        return port;
    }

    public String key(String name) {
        return prefix + ":" + queue + ":" + name;
    }

    /** Enqueues as the realtime service does ({@code removeOnComplete: true, removeOnFail: false}); the job ids. */
    public List<String> add(List<Job> jobs) {
        JsonArray array = new JsonArray();
        for (Job job : jobs) {
            JsonObject entry = new JsonObject();
            entry.addProperty("name", job.name());
            entry.add("data", JsonParser.parseString(job.dataJson()));
            if (job.optsJson() != null) entry.add("opts", JsonParser.parseString(job.optsJson()));
            array.add(entry);
        }
        JsonObject args = new JsonObject();
        args.add("jobs", array);
        return new Gson().fromJson(run("add", args), List.class);
    }

    /** One job to enqueue; {@code optsJson} null for the realtime service's options. */
    public record Job(String name, String dataJson, String optsJson) {
        public static Job of(String name, String dataJson) {
            return new Job(name, dataJson, null);
        }
    }

    /** {@code Queue.getJobCounts()}. */
    public Map<String, Double> counts() {
        return new Gson().fromJson(run("counts", new JsonObject()), Map.class);
    }

    public JsonArray failed() {
        return run("failed", new JsonObject()).getAsJsonArray();
    }

    JsonArray completed() {
        return run("completed", new JsonObject()).getAsJsonArray();
    }

    /** {@code Queue.getJob(id)} with its state, or JSON null. */
    public JsonElement job(String id) {
        JsonObject args = new JsonObject();
        args.addProperty("id", id);
        return run("job", args);
    }

    void pause() {
        run("pause", new JsonObject());
    }

    void resume() {
        run("resume", new JsonObject());
    }

    /** The names of the events in the queue's stream, oldest first. */
    List<String> events() {
        return new Gson().fromJson(run("events", new JsonObject()), List.class);
    }

    private JsonElement run(String command, JsonObject args) {
        args.addProperty("prefix", prefix);
        args.addProperty("queue", queue);
        ProcessResult result = exec(List.of("node", "bullmq.js", command, args.toString()),
                Map.of("REDIS_HOST", host, "REDIS_PORT", Integer.toString(port)), 60);
        if (result.exit() != 0) throw new IllegalStateException("node bullmq.js " + command + " failed: " + result.output());
        return JsonParser.parseString(result.output());
    }

    private static synchronized void install() {
        if (installed) return;
        try {
            Path marker = FIXTURE.resolve("node_modules").resolve(".package-lock.json");
            if (!Files.exists(marker) || Files.getLastModifiedTime(marker)
                    .compareTo(Files.getLastModifiedTime(FIXTURE.resolve("package-lock.json"))) < 0) {
                ProcessResult result = exec(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
                if (result.exit() != 0) throw new IllegalStateException("npm ci failed in " + FIXTURE + ": " + result.output());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot install the BullMQ fixture in " + FIXTURE, e);
        }
        installed = true;
    }

    private record ProcessResult(int exit, String output) {
    }

    private static ProcessResult exec(List<String> command, Map<String, String> env, int timeoutSeconds) {
        try {
            Path errors = Files.createTempFile("bullmq-fixture", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(FIXTURE.toFile()).redirectError(errors.toFile());
                builder.environment().putAll(env);
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(command + " took over " + timeoutSeconds + " s");
                }
                int exit = process.exitValue();
                return new ProcessResult(exit, exit == 0 ? output : output + Files.readString(errors));
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + " (are node and npm installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    @Override
    public void close() {
        try {
            RedisKeys.deleteMatching(redis, prefix + ":*");
        } finally {
            redis.close();
        }
    }
}
