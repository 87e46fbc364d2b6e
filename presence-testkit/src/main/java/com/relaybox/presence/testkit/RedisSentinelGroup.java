package com.relaybox.presence.testkit;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A Redis primary, its replicas and three Sentinels of the test's own, each a {@link PrivateRedis}
 * on a free port, for tests that kill the primary and watch the service follow the promotion.
 * Sentinel is tuned to fail over fast: a primary is down after 1 s without an answer, and a
 * failover that stalls is tried again after 2 s. Start with {@link #start}, close in a finally
 * (or try-with-resources): every process is killed and every directory deleted.
 */
public final class RedisSentinelGroup implements AutoCloseable {
    /** The master name the Sentinels monitor. */
    public static final String MASTER_NAME = "presence-it";
    private static final int QUORUM = 2;
    private static final Duration READY = Duration.ofSeconds(30);
    /** More than a loopback connection's send and receive buffers hold at most (4 MB and 32 MB here). */
    private static final int FILLER_MEGABYTES = 64;

    private final List<PrivateRedis> servers = new ArrayList<>();
    private final List<PrivateRedis> sentinels = new ArrayList<>();

    private RedisSentinelGroup() {
    }

    /** A primary, one replica and three Sentinels, once every Sentinel knows the replica and the other Sentinels. */
    public static RedisSentinelGroup start() {
        return start(1);
    }

    public static RedisSentinelGroup start(int replicas) {
        RedisSentinelGroup group = new RedisSentinelGroup();
        try {
            // No persistence; a replica's full sync at once rather than after diskless sync's usual 5 s; no
            // limit on what a replica may owe (stallReplica piles it up on purpose).
            String[] options = {"--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0",
                    "--client-output-buffer-limit", "replica", "0", "0", "0"};
            PrivateRedis primary = new PrivateRedis(options).start();
            group.servers.add(primary);
            for (int i = 0; i < replicas; i++)
                group.servers.add(new PrivateRedis(concat(options, "--replicaof", "127.0.0.1",
                        Integer.toString(primary.port))).start());
            Poll.await(READY, "the replicas in sync with the primary", () -> group.onlineReplicas(primary.port) == replicas);
            for (int i = 0; i < 3; i++)
                group.sentinels.add(PrivateRedis.sentinel(
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary.port + " " + QUORUM,
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 2000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1").start());
            Poll.await(READY, "every Sentinel knowing the replicas and the other Sentinels", () -> group.sentinels.stream()
                    .allMatch(sentinel -> group.knows(sentinel, replicas)));
            return group;
        } catch (RuntimeException | Error e) {
            group.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}, as {@code REDIS_SENTINELS} takes it. */
    public String sentinelAddresses() {
        return sentinels.stream().map(sentinel -> "127.0.0.1:" + sentinel.port).collect(Collectors.joining(","));
    }

    /** The port of the primary as the Sentinels name it now. */
    public int primaryPort() {
        for (PrivateRedis sentinel : sentinels) {
            if (!sentinel.running()) continue;
            try (Jedis jedis = sentinel.client()) {
                List<String> address = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
                if (address != null && address.size() == 2) return Integer.parseInt(address.get(1));
            } catch (JedisException e) {
                // ask the next one
            }
        }
        throw new IllegalStateException("no Sentinel names a primary for " + MASTER_NAME);
    }

    /** SIGKILL of the current primary; its port. */
    public int killPrimary() {
        int port = primaryPort();
        server(port).kill();
        return port;
    }

    /**
     * Waits until every Sentinel names a primary other than {@code formerPort} and that server says
     * it is a master; its port.
     */
    public int awaitPromotion(int formerPort, Duration within) {
        int[] promoted = {-1};
        Poll.await(within, "a replica promoted in place of 127.0.0.1:" + formerPort, () -> {
            Optional<Integer> named = agreedPrimary();
            if (named.isEmpty() || named.get() == formerPort) return false;
            promoted[0] = named.get();
            return "master".equals(role(named.get()));
        });
        return promoted[0];
    }

    /**
     * Starts a killed server again as a replica of the current primary, as a supervisor restarts it
     * from the configuration Sentinel rewrote, and waits until it is in sync. Started as the primary
     * it was, empty, it could be taken for the primary again by a Sentinel that has not yet learnt
     * of the promotion, which then makes the promoted replica resynchronise from it and lose its data.
     */
    public void restart(int port, Duration within) {
        server(port).start("--replicaof", "127.0.0.1", Integer.toString(agreedPrimary().orElseGet(this::primaryPort)));
        Poll.await(within, "127.0.0.1:" + port + " back as a replica in sync", () -> "slave".equals(role(port))
                && onlineReplicas(primaryPort()) == servers.stream().filter(PrivateRedis::running).count() - 1);
    }

    /**
     * Makes a replica fall behind for real: SIGSTOP, then more filler written to the primary than the
     * kernel's socket buffers between them hold. From then on the primary's writes wait in its own
     * memory and die with it, where a mere pause would have let the kernel deliver them after the
     * primary's death. {@link #resume} lets the replica run again.
     */
    public void stallReplica(int port) {
        server(port).pause();
        byte[] filler = new byte[1 << 20];
        new java.util.Random(port).nextBytes(filler);
        try (Jedis primary = server(primaryPort()).client()) {
            for (int i = 0; i < FILLER_MEGABYTES; i++) primary.set(("it-replication-filler-" + i).getBytes(), filler);
        }
    }

    public void resume(int port) {
        server(port).resume();
    }

    /** The ports of the servers that replicate the current primary. */
    public List<Integer> replicaPorts() {
        int primary = primaryPort();
        return servers.stream().filter(server -> server.port != primary && server.running()).map(server -> server.port)
                .collect(Collectors.toList());
    }

    /** A plain connection to one server of the group (the caller closes it). */
    public Jedis client(int port) {
        return server(port).client();
    }

    public List<Integer> serverPorts() {
        return servers.stream().map(server -> server.port).collect(Collectors.toList());
    }

    /** The servers' and Sentinels' logs, for a failure message. */
    public String logs() {
        StringBuilder all = new StringBuilder();
        for (PrivateRedis server : servers) all.append("--- redis ").append(server.port).append('\n').append(server.log());
        for (PrivateRedis sentinel : sentinels)
            all.append("--- sentinel ").append(sentinel.port).append('\n').append(sentinel.log());
        return all.toString();
    }

    private PrivateRedis server(int port) {
        return servers.stream().filter(server -> server.port == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no server of the group on port " + port));
    }

    private Optional<Integer> agreedPrimary() {
        Integer agreed = null;
        for (PrivateRedis sentinel : sentinels) {
            if (!sentinel.running()) continue;
            try (Jedis jedis = sentinel.client()) {
                List<String> address = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
                if (address == null || address.size() != 2) return Optional.empty();
                int port = Integer.parseInt(address.get(1));
                if (agreed != null && agreed != port) return Optional.empty();
                agreed = port;
            } catch (JedisException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(agreed);
    }

    private String role(int port) {
        try (Jedis jedis = server(port).client()) {
            Object role = jedis.role().get(0);
            return role instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(role);
        } catch (JedisException | IllegalArgumentException e) {
            return "unreachable";
        }
    }

    private long onlineReplicas(int primaryPort) {
        try (Jedis jedis = server(primaryPort).client()) {
            return jedis.info("replication").lines().filter(line -> line.matches("slave\\d+:.*state=online.*")).count();
        } catch (JedisException e) {
            return -1;
        }
    }

    private boolean knows(PrivateRedis sentinel, int replicas) {
        try (Jedis jedis = sentinel.client()) {
            List<Map<String, String>> known = jedis.sentinelReplicas(MASTER_NAME);
            return known.size() == replicas && jedis.sentinelSentinels(MASTER_NAME).size() == sentinels.size() - 1;
        } catch (JedisException e) {
            return false;
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (PrivateRedis process : concat()) {
            try {
                process.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    private static String[] concat(String[] options, String... more) {
        String[] all = java.util.Arrays.copyOf(options, options.length + more.length);
        System.arraycopy(more, 0, all, options.length, more.length);
        return all;
    }

    private List<PrivateRedis> concat() {
        List<PrivateRedis> all = new ArrayList<>(sentinels);
        all.addAll(servers);
        return all;
    }
}
