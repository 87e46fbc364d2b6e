package com.relaybox.presence.testkit;

import redis.clients.jedis.Jedis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A redis-server of the test's own, on a free port in a temporary directory, that the test may
 * kill and start again. The shared Redis on 6379 is never touched. {@link #sentinel} makes a
 * Sentinel instead (see {@link RedisSentinelGroup}).
 */
public final class PrivateRedis implements AutoCloseable {
    private static final String SERVER_READY = "Ready to accept connections";
    private static final String SENTINEL_READY = "Sentinel ID is";

    public final int port;
    private final Path dir;
    private final List<String> options;
    private final List<String> sentinelConfig;
    private final StringBuilder log = new StringBuilder();
    private Process process;

    /** Not started yet: {@code options} are redis-server options such as {@code --appendonly yes}. */
    public PrivateRedis(String... options) {
        this(List.of(options), null);
    }

    private PrivateRedis(List<String> options, List<String> sentinelConfig) {
        this.port = freePort();
        this.options = options;
        this.sentinelConfig = sentinelConfig;
        try {
            this.dir = Files.createTempDirectory(sentinelConfig == null ? "presence-private-redis" : "presence-private-sentinel");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Sentinel, not started yet: {@code config} are sentinel.conf lines such as {@code sentinel
     * monitor ...}. The file is written at the first start and left to Sentinel, which rewrites it
     * with what it learns, so a restarted Sentinel knows what it knew.
     */
    public static PrivateRedis sentinel(String... config) {
        return new PrivateRedis(List.of(), List.of(config));
    }

    /**
     * Starts the server and waits until it says it is ready (after loading its data, if any);
     * {@code startOptions} are added to its options for this start only (the last of an option wins).
     */
    public PrivateRedis start(String... startOptions) {
        List<String> command = new ArrayList<>();
        if (sentinelConfig == null) {
            command.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir",
                    dir.toString(), "--daemonize", "no"));
            command.addAll(options);
            command.addAll(List.of(startOptions));
        } else {
            command.addAll(List.of("redis-server", sentinelConf().toString(), "--sentinel"));
        }
        String readyLine = sentinelConfig == null ? SERVER_READY : SENTINEL_READY;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Process started = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.contains(readyLine)) ready.complete(null);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            ready.completeExceptionally(new IllegalStateException("redis-server exited before it was ready:\n" + log()));
        }, "private-redis-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("redis-server on port " + port + " did not get ready:\n" + log(), e);
        }
        return this;
    }

    private Path sentinelConf() {
        Path conf = dir.resolve("sentinel.conf");
        if (Files.exists(conf)) return conf;
        List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + dir, "daemonize no"));
        lines.addAll(sentinelConfig);
        try {
            Files.write(conf, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf, e);
        }
        return conf;
    }

    /** Whether the process runs (started and not killed). */
    public boolean running() {
        return process != null && process.isAlive();
    }

    /** SIGSTOP: the process stays, its connections stay open, and it answers nothing until {@link #resume}. */
    public void pause() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (process == null) throw new IllegalStateException("redis-server on port " + port + " is not running");
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown save, connections cut mid-reply. */
    public void kill() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("redis-server did not die");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        process = null;
    }

    public Jedis client() {
        return new Jedis("127.0.0.1", port);
    }

    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    @Override
    public void close() {
        try {
            kill();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
