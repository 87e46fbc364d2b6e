package com.relaybox.presence.app;

import com.relaybox.presence.adapter.rabbitmq.BrokerAddress;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Throughput and latency, second by second, through RabbitMQ node losses: the jar on a three-node
 * {@link RabbitCluster} (Redis and PostgreSQL the shared ones), fed a paced stream of jobs; at 20 s
 * the node leading the shard queues is killed, at 35 s it is started again, at 55 s the node the
 * service consumes through is killed. Each second's line: jobs published, jobs first broadcast,
 * and the p50/p99/max of their publish-to-broadcast latency. Not a test: run it by hand (see
 * BENCHMARKS.md for the command), on a machine where nothing else must be fast meanwhile.
 */
public final class ClusterFailoverBenchmark {
    private static final int ROOMS = 50;

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 80;
        int perRoom = rate * seconds / ROOMS;
        Path dir = Files.createTempDirectory("presence-failover-bench");
        Map<String, Long> publishedAt = new ConcurrentHashMap<>();
        List<List<Long>> latencies = new ArrayList<>();
        int[] publishedPerSecond = new int[seconds + 120];
        for (int i = 0; i < publishedPerSecond.length; i++) latencies.add(Collections.synchronizedList(new ArrayList<>()));
        long start = System.nanoTime() + TimeUnit.DAYS.toNanos(1);
        long[] origin = {start};
        List<String> events = Collections.synchronizedList(new ArrayList<>());

        try (ServicesFixture services = new ServicesFixture(); RabbitCluster cluster = RabbitCluster.start(3)) {
            List<RabbitCluster.Node> nodes = cluster.nodes();
            String addresses = RabbitCluster.addresses(nodes);
            RabbitSettings rabbit = RabbitSettings.of(RabbitCluster.uri(nodes.get(0)))
                    .withAddresses(BrokerAddress.parseList(addresses, 5672)).withQueueCount(ServicesFixture.QUEUE_COUNT)
                    .withQuorumInitialGroupSize(3).withConnectionName("bench-cluster");
            new PresenceJobPublisher(rabbit.withAddresses(List.of(new BrokerAddress("127.0.0.1", nodes.get(1).amqpPort))))
                    .close();
            RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, perRoom);
            try (ClusterBroadcasts broadcasts = new ClusterBroadcasts(nodes, services.appPid, broadcast -> {
                String key = broadcast.room() + "#" + broadcast.data().getAsJsonObject("data").get("seq");
                Long sent = publishedAt.remove(key);
                if (sent == null) return;       // a repeat
                long now = System.nanoTime();
                int second = (int) ((now - origin[0]) / 1_000_000_000L);
                if (second >= 0 && second < latencies.size()) latencies.get(second).add(now - sent);
            }); PresenceJobPublisher publisher = new PresenceJobPublisher(rabbit)) {
                Map<String, String> env = services.env();
                env.put("RABBIT_MQ_CONNECTION_STRING", RabbitCluster.uri(nodes.get(0)));
                env.put("RABBIT_MQ_ADDRESSES", addresses);
                env.put("RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE", "3");
                env.put("PRESENCE_INTAKES", "rabbitmq");
                try (JarProcess service = JarProcess.start(dir, env)) {
                    service.awaitStarted();
                    Thread killer = new Thread(() -> failures(cluster, nodes, origin, events), "failures");
                    origin[0] = System.nanoTime();
                    killer.start();
                    long interval = 1_000_000_000L * ROOMS / rate;   // one job per room per interval
                    for (int seq = 0; seq < perRoom; seq++) {
                        long due = origin[0] + seq * interval;
                        LockSupport.parkNanos(due - System.nanoTime());
                        List<PresenceJobPublisher.Job> batch = new ArrayList<>();
                        for (int r : rooms.indices()) {
                            batch.add(PresenceJobPublisher.Job.of(RoomStreams.type(seq), rooms.body(r, seq),
                                    services.jobPrefix + r + "-" + seq));
                            publishedAt.put(rooms.room(r) + "#" + seq, due);
                        }
                        while (true) {
                            try {
                                publisher.publishAll(batch);
                                break;
                            } catch (DependencyUnavailableException e) {
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                            }
                        }
                        publishedPerSecond[(int) ((due - origin[0]) / 1_000_000_000L)] += batch.size();
                    }
                    killer.join();
                    Poll.await(Duration.ofSeconds(120), "every job broadcast", publishedAt::isEmpty);
                    service.terminate();
                    service.awaitExit(Duration.ofSeconds(20));
                }
            }
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        System.out.println("events: " + events);
        System.out.println("second published broadcast p50_ms p99_ms max_ms");
        for (int second = 0; second < latencies.size(); second++) {
            List<Long> values = new ArrayList<>(latencies.get(second));
            if (values.isEmpty() && (second >= seconds || publishedPerSecond[second] == 0)) continue;
            Collections.sort(values);
            System.out.printf("%3d %5d %5d %8s %8s %8s%n", second, publishedPerSecond[second], values.size(),
                    percentile(values, 0.50), percentile(values, 0.99), percentile(values, 1.0));
        }
    }

    private static void failures(RabbitCluster cluster, List<RabbitCluster.Node> nodes, long[] origin, List<String> events) {
        at(origin, 20);
        RabbitCluster.Node leader = cluster.leaders(nodes.get(0)).get("presence-0");
        cluster.kill(leader);
        events.add(String.format("%.1f s: killed the leader %s", elapsed(origin), leader.name));
        at(origin, 35);
        cluster.restart(leader);
        events.add(String.format("%.1f s: %s started again", elapsed(origin), leader.name));
        RabbitCluster.Node alive = nodes.stream().filter(node -> node != leader).findFirst().orElseThrow();
        Poll.await(Duration.ofSeconds(60), "three online replicas", () -> cluster.onlineMembers(alive).entrySet().stream()
                .filter(q -> q.getKey().startsWith("presence")).allMatch(q -> q.getValue() == 3));
        at(origin, 55);
        RabbitCluster.Node servicesNode = cluster.byPort(cluster.connectionPorts(alive, "presence-consumer").get(0));
        cluster.kill(servicesNode);
        events.add(String.format("%.1f s: killed the service's node %s", elapsed(origin), servicesNode.name));
    }

    private static void at(long[] origin, int second) {
        LockSupport.parkNanos(origin[0] + TimeUnit.SECONDS.toNanos(second) - System.nanoTime());
    }

    private static double elapsed(long[] origin) {
        return (System.nanoTime() - origin[0]) / 1e9;
    }

    private static String percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return "-";
        long nanos = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
        return String.format("%.1f", nanos / 1e6);
    }
}
