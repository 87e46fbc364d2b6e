package com.relaybox.presence.app;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.Rabbitmqctl;
import com.relaybox.presence.testkit.RedisKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real instances; the active one is frozen (SIGSTOP, as a stalled VM or a frozen JVM) under a
 * stream of jobs, the standby takes its shard queues over once the broker has given up on the
 * frozen one's heartbeats, and the frozen one is woken (SIGCONT) while the standby consumes. The
 * woken instance must publish nothing for the queues it lost, even if it publishes before noticing
 * that its connections are gone: that is the queue-ownership fence. Which instance published what
 * is seen at the broker, not guessed: the frozen instance logs in as a RabbitMQ user of its own,
 * and the broker's firehose (rabbitmqctl trace_on, this vhost only) copies every broadcast it
 * accepts, with the publishing user, in the order it routes them.
 */
class FrozenInstanceFailoverIT {
    private static final int ROOMS = 8;
    private static final int JOBS_PER_ROOM = 1_500;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /** One broadcast the broker accepted: who published it, for which room, which job. */
    record Traced(String user, String room, int seq) {
    }

    @Test
    void aFrozenInstancesQueuesMoveToTheStandbyAndWhenItWakesItBroadcastsNothingForThem() throws Exception {
        String frozenUser = "presence-it-frozen-" + UUID.randomUUID().toString().substring(0, 8);
        try (ServicesFixture services = new ServicesFixture()) {
            Rabbitmqctl.run("add_user", frozenUser, "frozen-pw");
            try {
                Rabbitmqctl.run("set_permissions", "-p", services.vhost.name(), frozenUser, ".*", ".*", ".*");
                Rabbitmqctl.run("trace_on", "-p", services.vhost.name());
                run(services, frozenUser);
            } finally {
                Rabbitmqctl.run("delete_user", frozenUser);
            }
        }
    }

    private void run(ServicesFixture services, String frozenUser) throws Exception {
        ConcurrentLinkedQueue<ServicesFixture.Broadcast> broadcasts = services.listen();
        ConcurrentLinkedQueue<Traced> traced = trace(services);
        PresenceJobPublisher publisher = services.publisher();
        RoomStreams rooms = new RoomStreams(services.appPid, 0, ROOMS, JOBS_PER_ROOM);

        Map<String, String> frozenEnv = services.env();
        frozenEnv.put("RABBIT_MQ_CONNECTION_STRING", services.vhost.uri().replace("guest:guest@", frozenUser + ":frozen-pw@"));
        frozenEnv.put("PRESENCE_INTAKES", "rabbitmq");
        Map<String, String> standbyEnv = services.env();
        standbyEnv.put("PRESENCE_INTAKES", "rabbitmq");
        AtomicInteger published = new AtomicInteger();
        long fencedOut;
        try (JarProcess frozen = JarProcess.start(dir, frozenEnv)) {
            frozen.awaitStarted();
            try (JarProcess standby = JarProcess.start(dir, standbyEnv)) {
                standby.awaitStarted();
                CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> rooms.publishPaced(services, publisher, published, WAIT));
                Poll.await(WAIT, "the first instance to broadcast a quarter of the jobs",
                        () -> broadcasts.size() >= rooms.total() / 4);
                assertThat(traced).as("the standby stands by").allMatch(t -> t.user().equals(frozenUser));

                signal("STOP", frozen.pid());
                long stoppedAt = System.nanoTime();
                Poll.await(WAIT, "the standby to take over", () -> traced.stream().anyMatch(t -> t.user().equals("guest")));
                System.out.printf("[frozen] the standby's first broadcast came %d ms after SIGSTOP of the active instance%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
                // Woken at once: the broker may still hold the frozen instance's other connections open (it
                // gives up on each on its own heartbeat timer), the moment a publish on them would get through.
                signal("CONT", frozen.pid());
                frozen.awaitLine(line -> line.contains("event=rabbitmq_connection_lost connection=presence-consumer"), WAIT);
                frozen.awaitLine(line -> line.contains("event=rabbitmq_connection_recovered connection=presence-consumer"), WAIT);

                stream.get(3, TimeUnit.MINUTES);
                Poll.await(WAIT, "every job applied", () -> rooms.allApplied(services.redis));
                Poll.await(WAIT, "all history in PostgreSQL", () -> historyCount(services) >= rooms.total());
                Poll.await(WAIT, "the queues drained", () -> services.jobsWaiting() == 0);

                fencedOut = frozen.lines().stream().filter(line -> line.contains("event=batch_fenced_out")).count();
                // The woken one first, so that it never takes a queue back.
                frozen.terminate();
                assertThat(frozen.awaitExit(Duration.ofSeconds(20))).isEqualTo(0);
                standby.terminate();
                assertThat(standby.awaitExit(Duration.ofSeconds(20))).isEqualTo(0);
            }
        }

        List<Traced> all = List.copyOf(traced);
        int takenOverAt = indexOfFirst(all, "guest");
        assertThat(all.subList(takenOverAt, all.size())).as("broadcasts the broker took from the woken instance after "
                + "the standby took over").noneMatch(t -> t.user().equals(frozenUser));
        System.out.printf("[frozen] broadcasts accepted: %d from the frozen instance (all before the takeover), %d from "
                + "the standby%n", count(all, frozenUser), count(all, "guest"));

        int total = rooms.total();
        assertThat(published.get()).isEqualTo(total);
        assertThat(RedisKeys.scan(services.redis, services.shardFenceKeys())).as("each shard queue's fencing token")
                .hasSize(ServicesFixture.QUEUE_COUNT);
        System.out.printf("[frozen] batches the woken instance found fenced out: %d%n", fencedOut);
        assertThat(RedisKeys.scan(services.redis, "presence-job:" + services.jobPrefix + "*")).hasSize(total);
        rooms.assertOneMemberEach(services.redis);
        assertThat(services.historyCounts()).containsExactly(total, total);
        rooms.assertFirstSightsInOrder(broadcasts);
        assertThat(services.vhost.ready("presence-dlq")).isZero();
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal).isZero();
    }

    private static int indexOfFirst(Iterable<Traced> traced, String user) {
        int index = 0;
        for (Traced t : traced) {
            if (t.user().equals(user)) return index;
            index++;
        }
        return index;
    }

    private static long count(Iterable<Traced> traced, String user) {
        long count = 0;
        for (Traced t : traced) if (t.user().equals(user)) count++;
        return count;
    }

    private static long historyCount(ServicesFixture services) {
        try {
            return services.historyCounts()[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The broker's copies of every broadcast it accepted on {@code ds.rooms.durable}, in the order
     * it routed them, each with the user of the connection that published it.
     */
    private static ConcurrentLinkedQueue<Traced> trace(ServicesFixture services) throws IOException {
        Connection connection = services.vhost.connection();
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, "amq.rabbitmq.trace", "publish.ds.rooms.durable");
        ConcurrentLinkedQueue<Traced> traced = new ConcurrentLinkedQueue<>();
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                JsonObject broadcast = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
                JsonObject data = broadcast.getAsJsonObject("data").getAsJsonObject("data");
                traced.add(new Traced(String.valueOf(properties.getHeaders().get("user")),
                        broadcast.get("nspRoomId").getAsString(), data.get("seq").getAsInt()));
            }
        });
        return traced;
    }
}
