package com.relaybox.presence.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A RabbitMQ cluster of the test's own on this machine: {@code rabbitmq-server} nodes named
 * {@code presence-ha-<id>-<n>@localhost}, each with its own AMQP and distribution ports (on
 * 127.0.0.1, below the kernel's ephemeral range so that no outgoing connection takes one while a
 * node restarts its listener), data and log directories and an empty plugin list (no management),
 * all under one temporary directory whose {@code .erlang.cookie} is theirs alone (the server and
 * {@code rabbitmqctl} run with that directory as {@code HOME}). Nodes 2.. join node 1 with
 * {@code rabbitmqctl stop_app; join_cluster; start_app}. A node is killed with SIGKILL of its own
 * {@code beam.smp} (its pid file), and started again on its own data. {@link #close()} kills
 * every node of the cluster and deletes the directory. The shared broker (rabbit@localhost on
 * 5672) is never touched.
 */
public final class RabbitCluster implements AutoCloseable {
    private static final String SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static final String CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static final Duration NODE_START = Duration.ofSeconds(120);

    private final Path home;
    private final List<Node> nodes = new ArrayList<>();

    /** One node: its name, its AMQP port and where its files are. */
    public static final class Node {
        public final String name;
        public final int amqpPort;
        final int distPort;
        final Path dir;
        private final StringBuilder output = new StringBuilder();
        private Process process;

        Node(String name, int amqpPort, int distPort, Path dir) {
            this.name = name;
            this.amqpPort = amqpPort;
            this.distPort = distPort;
            this.dir = dir;
        }

        /** What the server printed, for failure messages. */
        public String output() {
            synchronized (output) {
                return output.toString();
            }
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }

        @Override
        public String toString() {
            return name + " (amqp " + amqpPort + ")";
        }
    }

    private RabbitCluster(Path home) {
        this.home = home;
    }

    /**
     * Starts {@code size} nodes at once and joins them into one cluster; returns once every node
     * runs the broker and is a member. Whatever was started is removed if this fails.
     */
    public static RabbitCluster start(int size) {
        Path home;
        try {
            home = Files.createTempDirectory("presence-rabbit-cluster");
            Path cookie = home.resolve(".erlang.cookie");
            Files.writeString(cookie, UUID.randomUUID().toString().replace("-", "").toUpperCase());
            Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
            Files.writeString(home.resolve("rabbitmq-env.conf"), "# this cluster's own; the machine's is not read\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RabbitCluster cluster = new RabbitCluster(home);
        try {
            String id = UUID.randomUUID().toString().substring(0, 6);
            Set<Integer> ports = new HashSet<>();
            for (int n = 1; n <= size; n++) {
                Path dir = Files.createDirectories(home.resolve("node-" + n));
                Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
                Files.writeString(dir.resolve("rabbitmq.conf"), "log.console = false\nlog.file.level = info\n");
                cluster.nodes.add(new Node("presence-ha-" + id + "-" + n + "@localhost", freePort(ports), freePort(ports), dir));
            }
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (Node node : cluster.nodes) starting.add(CompletableFuture.runAsync(() -> cluster.launch(node)));
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
            Node first = cluster.nodes.get(0);
            for (Node node : cluster.nodes.subList(1, size)) {
                cluster.ctl(node, "stop_app");
                cluster.ctl(node, "join_cluster", first.name);
                cluster.ctl(node, "start_app");
            }
            cluster.ctl(first, "await_online_nodes", Integer.toString(size), "--timeout", "120");
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The nodes as {@code RABBIT_MQ_ADDRESSES} takes them, in this order. */
    public static String addresses(List<Node> nodes) {
        return String.join(",", nodes.stream().map(node -> "127.0.0.1:" + node.amqpPort).toList());
    }

    /** guest on the default virtual host of {@code node}: the cluster is the test's own. */
    public static String uri(Node node) {
        return "amqp://guest:guest@127.0.0.1:" + node.amqpPort + "/%2F";
    }

    /** The node listening on this AMQP port. */
    public Node byPort(int amqpPort) {
        return nodes.stream().filter(node -> node.amqpPort == amqpPort).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node of this cluster listens on " + amqpPort));
    }

    /** SIGKILL of the node's Erlang VM: its connections drop at once, nothing is flushed. */
    public void kill(Node node) {
        long pid = beamPid(node);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Poll.await(Duration.ofSeconds(20), node + " to die", () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)
                && !node.isRunning());
        try {
            Files.deleteIfExists(node.dir.resolve("pid"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a killed node again on its own data: it comes back as the member it was. */
    public void restart(Node node) {
        if (node.isRunning()) throw new IllegalStateException(node + " is running");
        launch(node);
    }

    /** {@code rabbitmqctl -n <node>} with the arguments; its output, or an exception holding it. */
    public String ctl(Node node, String... arguments) {
        List<String> command = new ArrayList<>(List.of(CTL, "-n", node.name));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(home.toFile());
        environment(builder.environment(), null);
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!process.waitFor(150, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("rabbitmqctl did not finish: " + command);
            }
            String text = new String(output.join(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
                throw new IllegalStateException("rabbitmqctl failed (" + process.exitValue() + "): " + command + "\n" + text);
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each queue's leader node, as {@code node} sees it (queues without one are left out). */
    public Map<String, Node> leaders(Node node) {
        Map<String, Node> leaders = new java.util.TreeMap<>();
        for (String[] row : rows(ctl(node, "list_queues", "-q", "--no-table-headers", "name", "leader"))) {
            if (row.length < 2) continue;
            nodes.stream().filter(candidate -> candidate.name.equals(row[1])).findFirst()
                    .ifPresent(leader -> leaders.put(row[0], leader));
        }
        return leaders;
    }

    /** How many of each queue's members are online, as {@code node} sees it. */
    public Map<String, Integer> onlineMembers(Node node) {
        Map<String, Integer> online = new java.util.TreeMap<>();
        for (String[] row : rows(ctl(node, "list_queues", "-q", "--no-table-headers", "name", "online"))) {
            if (row.length < 2) continue;
            online.put(row[0], (int) java.util.regex.Pattern.compile("@").matcher(row[1]).results().count());
        }
        return online;
    }

    /** The AMQP port each connection whose client-provided name starts with the prefix is on, as {@code node} sees it. */
    public List<Integer> connectionPorts(Node node, String namePrefix) {
        List<Integer> ports = new ArrayList<>();
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("\\{\"connection_name\",\"([^\"]*)\"}");
        for (String[] row : rows(ctl(node, "list_connections", "-q", "--no-table-headers", "port", "client_properties"))) {
            if (row.length < 2) continue;
            java.util.regex.Matcher matcher = named.matcher(row[1]);
            if (matcher.find() && matcher.group(1).startsWith(namePrefix)) ports.add(Integer.parseInt(row[0].strip()));
        }
        return ports;
    }

    /** Every running node's view of the queues, for failure messages. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (Node node : nodes) {
            if (!node.isRunning()) {
                text.append(node).append(": not running\n");
                continue;
            }
            try {
                text.append(node).append(":\n").append(ctl(node, "list_queues", "-q", "name", "type", "leader", "online",
                        "messages_ready", "messages_unacknowledged", "consumers"));
            } catch (RuntimeException e) {
                text.append(node).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return text.toString();
    }

    private static List<String[]> rows(String listing) {
        List<String[]> rows = new ArrayList<>();
        for (String line : listing.split("\n"))
            if (!line.isBlank()) rows.add(line.split("\t"));
        return rows;
    }

    /** Starts the node's server and waits until it says the broker started. */
    private void launch(Node node) {
        ProcessBuilder builder = new ProcessBuilder(SERVER).redirectErrorStream(true).directory(node.dir.toFile());
        environment(builder.environment(), node);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + SERVER, e);
        }
        node.process = process;
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (node.output) {
                        node.output.append(line).append('\n');
                    }
                    if (line.contains("Starting broker") && line.contains("completed")) started.complete(null);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            started.completeExceptionally(new IllegalStateException(node + " exited before it started:\n" + node.output()));
        }, "rabbit-cluster-" + node.amqpPort);
        reader.setDaemon(true);
        reader.start();
        try {
            started.get(NODE_START.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(node + " did not start within " + NODE_START + ":\n" + node.output(), e);
        }
        Poll.await(Duration.ofSeconds(30), node + " to take AMQP connections", () -> answers(node.amqpPort));
    }

    /** The variables of {@code rabbitmq-server} (for a node) or of {@code rabbitmqctl} (null). */
    private void environment(Map<String, String> env, Node node) {
        env.keySet().removeIf(name -> name.startsWith("RABBITMQ_") || name.startsWith("ERL_"));
        env.put("HOME", home.toString());
        env.put("RABBITMQ_CONF_ENV_FILE", home.resolve("rabbitmq-env.conf").toString());
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        if (node == null) return;
        env.put("RABBITMQ_NODENAME", node.name);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(node.amqpPort));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(node.distPort));
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        env.put("RABBITMQ_MNESIA_BASE", node.dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", node.dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", node.dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", node.dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_PID_FILE", node.dir.resolve("pid").toString());
    }

    private static long beamPid(Node node) {
        Path pidFile = node.dir.resolve("pid");
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no pid file for " + node + " at " + pidFile, e);
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port between 20000 and 32767, below the ephemeral range, that nothing listens on now. */
    private static int freePort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_768);
            if (taken.contains(port)) continue;
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("0.0.0.0", port));
                taken.add(port);
                return port;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32767");
    }

    /** Kills every node of this cluster (never any other broker) and deletes its files. */
    @Override
    public void close() {
        for (Node node : nodes) {
            try {
                if (Files.exists(node.dir.resolve("pid"))) ProcessHandle.of(beamPid(node)).ifPresent(ProcessHandle::destroyForcibly);
            } catch (RuntimeException ignored) {
                // not started, or already gone
            }
            if (node.process != null) {
                node.process.destroyForcibly();
                try {
                    node.process.waitFor(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
