package com.relaybox.presence.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Enqueues generated jobs as RelayBox's realtime service does: with the real npm {@code bullmq}
 * 5.16.0, {@code queue.add(type, data, {removeOnComplete: true, removeOnFail: false})}, through the
 * BullMQ intake's Node fixture ({@code bullmq.js stream}) run as a child process. Jobs go to it as
 * JSON lines; it adds them many at once across rooms, one after the other within a room, and
 * reports how many are in Redis. At most {@link #MAX_UNCONFIRMED_JOBS} jobs await their add.
 */
final class BullMqJobSink implements JobSink {
    static final int MAX_UNCONFIRMED_JOBS = RabbitJobSink.MAX_UNCONFIRMED_JOBS;

    private final JobBodies bodies;
    private final Process node;
    private final OutputStream lines;
    private final Path errors;
    private final AtomicLong added = new AtomicLong();
    private long written;

    BullMqJobSink(Path fixture, String redisHost, int redisPort, String prefix, String queue, JobBodies bodies) {
        this.bodies = bodies;
        if (!Files.isDirectory(fixture.resolve("node_modules").resolve("bullmq")))
            throw new IllegalArgumentException("--bullmq-fixture " + fixture + " has no node_modules/bullmq: run `npm ci` there first");
        try {
            errors = Files.createTempFile("presence-bench-bullmq", ".err");
            String args = "{\"prefix\":\"" + prefix + "\",\"queue\":\"" + queue + "\"}";
            ProcessBuilder builder = new ProcessBuilder("node", "bullmq.js", "stream", args).directory(fixture.toFile())
                    .redirectError(errors.toFile());
            builder.environment().put("REDIS_HOST", redisHost);
            builder.environment().put("REDIS_PORT", Integer.toString(redisPort));
            node = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node in " + fixture + " (is node installed?)", e);
        }
        lines = node.getOutputStream();
        Thread reader = new Thread(this::readProgress, "presence-bench-bullmq-progress");
        reader.setDaemon(true);
        reader.start();
    }

    private void readProgress() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) added.set(Long.parseLong(line.trim()));
        } catch (IOException | NumberFormatException e) {
            // the producer is gone; publish and awaitConfirms say so
        }
    }

    @Override
    public void publish(List<BenchJob> jobs) {
        while (written - added.get() + jobs.size() > MAX_UNCONFIRMED_JOBS && written > added.get()) {
            requireAlive();
            LockSupport.parkNanos(50_000);
        }
        StringBuilder out = new StringBuilder(jobs.size() * 700);
        for (BenchJob job : jobs)
            out.append("{\"name\":\"").append(job.type().wireName()).append("\",\"data\":")
                    .append(new String(bodies.body(job), StandardCharsets.UTF_8)).append("}\n");
        try {
            lines.write(out.toString().getBytes(StandardCharsets.UTF_8));
            lines.flush();
        } catch (IOException e) {
            requireAlive();
            throw new UncheckedIOException("cannot write to the bullmq producer", e);
        }
        written += jobs.size();
    }

    @Override
    public void awaitConfirms() {
        while (added.get() < written) {
            requireAlive();
            LockSupport.parkNanos(100_000);
        }
    }

    private void requireAlive() {
        if (node.isAlive()) return;
        String why;
        try {
            why = Files.readString(errors);
        } catch (IOException e) {
            why = "(its error output is unreadable: " + e + ")";
        }
        throw new IllegalStateException("the bullmq producer exited (" + node.exitValue() + "): " + why);
    }

    @Override
    public void close() {
        try {
            lines.close();
            if (!node.waitFor(30, TimeUnit.SECONDS)) node.destroyForcibly();
            Files.deleteIfExists(errors);
        } catch (IOException e) {
            node.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.destroyForcibly();
        }
    }
}
