package com.relaybox.presence.app;

import com.relaybox.presence.adapter.rabbitmq.BrokerAddress;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitCluster;
import com.relaybox.presence.testkit.RedisKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service on a real three-node RabbitMQ cluster (quorum queues, three replicas each), under a
 * stream of jobs: the node leading the shard queues is killed (SIGKILL), started again, then the
 * node the service consumes through is killed. Nothing is lost, each room's jobs are applied and
 * first broadcast in order, history is exact, and the service is the same process throughout.
 * Redis and PostgreSQL are the shared ones (keys and schema of the test's own).
 */
class RabbitClusterFailoverIT {
    private static final int ROOMS = 8;
    private static final int JOBS_PER_ROOM = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void killingTheLeadersNodeThenTheServicesNodeLosesNothingAndKeepsEachRoomsOrder() throws Exception {
        try (ServicesFixture services = new ServicesFixture(); RabbitCluster cluster = RabbitCluster.start(3)) {
            List<RabbitCluster.Node> nodes = cluster.nodes();
            // The shard queues' fencing tokens, named after this cluster (its name is its first node's).
            services.alsoDelete("presence-fence:rabbitmq:" + nodes.get(0).name.substring(0, nodes.get(0).name.lastIndexOf('-'))
                    + "-*");
            String addresses = RabbitCluster.addresses(nodes);
            RabbitSettings rabbit = RabbitSettings.of(RabbitCluster.uri(nodes.get(0)))
                    .withAddresses(BrokerAddress.parseList(addresses, 5672))
                    .withQueueCount(ServicesFixture.QUEUE_COUNT)
                    .withQuorumInitialGroupSize(3)
                    .withConnectionName("it-cluster");
            // Declared through node 2 alone, so the shard queues' leaders are there (the broker places a
            // quorum queue's leader on the node of the connection declaring it).
            new PresenceJobPublisher(rabbit.withAddresses(List.of(new BrokerAddress("127.0.0.1", nodes.get(1).amqpPort))))
                    .close();
            assertThat(cluster.onlineMembers(nodes.get(0))).as("three replicas of every queue")
                    .containsEntry("presence-0", 3).containsEntry("presence-dlq", 3);

            try (ClusterBroadcasts broadcasts = new ClusterBroadcasts(nodes, services.appPid);
                 PresenceJobPublisher publisher = new PresenceJobPublisher(rabbit)) {
                Map<String, String> env = services.env();
                env.put("RABBIT_MQ_CONNECTION_STRING", RabbitCluster.uri(nodes.get(0)));
                env.put("RABBIT_MQ_ADDRESSES", addresses);
                env.put("RABBIT_MQ_QUORUM_INITIAL_GROUP_SIZE", "3");
                env.put("PRESENCE_INTAKES", "rabbitmq");
                RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, JOBS_PER_ROOM);
                AtomicInteger published = new AtomicInteger();
                try (JarProcess service = JarProcess.start(dir, env)) {
                    service.awaitStarted();
                    CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> rooms.publishPaced(services, publisher, published, WAIT));

                    awaitProgress(broadcasts, rooms.total() / 6, cluster);
                    RabbitCluster.Node leader = cluster.leaders(nodes.get(0)).get("presence-0");
                    cluster.kill(leader);
                    System.out.println("[cluster] killed the shard queues' leader " + leader + " at " + broadcasts.size()
                            + " broadcasts");
                    RabbitCluster.Node alive = nodes.stream().filter(node -> node != leader).findFirst().orElseThrow();
                    awaitProgress(broadcasts, broadcasts.size() + rooms.total() / 20, cluster);
                    cluster.restart(leader);
                    Poll.await(WAIT, "every queue back to three online replicas", () ->
                            cluster.onlineMembers(alive).entrySet().stream().filter(q -> q.getKey().startsWith("presence"))
                                    .allMatch(q -> q.getValue() == 3));

                    List<Integer> consumerPorts = cluster.connectionPorts(alive, "presence-consumer");
                    assertThat(consumerPorts).as("the service's consumer connection").hasSize(1);
                    RabbitCluster.Node servicesNode = cluster.byPort(consumerPorts.get(0));
                    awaitProgress(broadcasts, broadcasts.size() + rooms.total() / 20, cluster);
                    assertThat(published.get()).as("jobs still to come when the service's node dies").isLessThan(rooms.total());
                    cluster.kill(servicesNode);
                    System.out.println("[cluster] killed the service's node " + servicesNode + " at " + broadcasts.size()
                            + " broadcasts");

                    stream.get(3, TimeUnit.MINUTES);
                    Poll.await(WAIT, "every job applied", () -> rooms.allApplied(services.redis));
                    Poll.await(WAIT, "all history in PostgreSQL", () -> historyCount(services) >= rooms.total());
                    Poll.await(WAIT, "every job's first broadcast", () -> broadcasts.distinctSeqs() >= rooms.total());
                    service.awaitLine(line -> line.contains("event=rabbitmq_connection_recovered connection=presence-consumer"),
                            WAIT);
                    assertThat(service.lines()).as("the service was never restarted")
                            .noneMatch(line -> line.contains("event=start_failed"));
                    service.terminate();
                    assertThat(service.awaitExit(Duration.ofSeconds(20))).isEqualTo(0);
                } finally {
                    System.out.println("[cluster] " + cluster.describe());
                }

                int total = rooms.total();
                assertThat(published.get()).isEqualTo(total);
                assertThat(RedisKeys.scan(services.redis, "presence-job:" + services.jobPrefix + "*")).hasSize(total);
                rooms.assertOneMemberEach(services.redis);
                assertThat(services.historyCounts()).containsExactly(total, total);
                rooms.assertFirstSightsInOrder(broadcasts.received);
            }
        }
    }

    private static long historyCount(ServicesFixture services) {
        try {
            return services.historyCounts()[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitProgress(ClusterBroadcasts broadcasts, int atLeast, RabbitCluster cluster) {
        if (!Poll.until(WAIT, () -> broadcasts.size() >= atLeast))
            throw new AssertionError("fewer than " + atLeast + " broadcasts (" + broadcasts.size() + "); the cluster:\n"
                    + cluster.describe());
    }
}
