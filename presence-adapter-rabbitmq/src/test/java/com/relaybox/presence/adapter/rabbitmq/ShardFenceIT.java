package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.domain.Shard;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import com.relaybox.presence.testkit.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The race of a frozen or cut-off instance, made to happen: the broker has closed the consumer's
 * connection (and may have handed the queue on) while the instance, which has not noticed yet,
 * holds a batch it is applying. The consumer goes through a proxy that closes the broker's end
 * and leaves the client's open and silent; the broadcaster's own connection is direct and alive.
 * None of the batch's effects may land: its broadcast goes out on the consumer's connection, where
 * the broker takes nothing any more; its store writes carry a fencing token that the new owner's
 * has replaced; its dead letters go out under the same fence as its broadcasts.
 */
class ShardFenceIT {
    @RegisterExtension
    final RabbitVhost broker = RabbitVhost.named("fence");
    private final String app = "f" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);

    @Test
    void aBatchAppliedAfterTheBrokerClosedItsConsumersConnectionIsNotBroadcastFromThere() throws Exception {
        RabbitSettings direct = TestSettings.of(broker);
        StoreDecorators.Gated store = new StoreDecorators.Gated(new InMemoryPresenceStore());
        try (TcpProxy proxy = new TcpProxy(RabbitVhost.HOST, RabbitVhost.PORT);
             BroadcastCapture capture = BroadcastCapture.ofApp(broker, app, direct.queueCount());
             PresenceJobPublisher publisher = new PresenceJobPublisher(direct);
             RabbitBroadcaster broadcaster = new RabbitBroadcaster(direct)) {
            try (RabbitJobConsumer consumer = RabbitJobConsumer.consume(proxied(direct, proxy), jobs(store, broadcaster))) {
                publisher.publishAll(List.of(job(JobType.JOIN, "join", 0)));
                assertThat(store.entered.await(30, TimeUnit.SECONDS)).as("the batch being applied").isTrue();

                assertThat(proxy.partitionOpenConnections()).isEqualTo(1);
                Poll.await(Duration.ofSeconds(30), "the broker to put the job back", () -> broker.ready(lobbyQueue(direct)) == 1);
                assertThat(consumer.isRunning()).as("the instance has not noticed").isTrue();
                store.release.countDown();

                Poll.await(Duration.ofSeconds(60), "the job to be broadcast, once reconnected", () -> capture.all().size() >= 1);
                Poll.await(Duration.ofSeconds(30), "the queue drained", () -> broker.ready(lobbyQueue(direct)) == 0);
                // A job after it, so that anything still on its way has arrived when it has.
                publisher.publishAll(List.of(job(JobType.UPDATE, "update", 1)));
                Poll.await(Duration.ofSeconds(30), "the next job's broadcast", () -> capture.all().size() >= 2);
                assertThat(capture.bodies()).as("each job broadcast once, the held batch not from the cut-off connection")
                        .hasSize(2)
                        .satisfiesExactly(first -> assertThat(first).contains("\"seq\":0"),
                                second -> assertThat(second).contains("\"seq\":1"));
            }
        }
    }

    /**
     * The store side: the cut-off instance's held join reaches the store only after the new owner
     * applied it and a leave after it, and forgot the join's id (its duplicate window is over). Only
     * the fencing token keeps the join from bringing the member who left back.
     */
    @Test
    void aBatchWrittenAfterAnotherConsumerTookTheQueueChangesNothingInTheStore() throws Exception {
        RabbitSettings direct = TestSettings.of(broker);
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        InMemoryPresenceStore shared = new InMemoryPresenceStore(now::get, Duration.ofSeconds(600), JobMemory.DEFAULT);
        StoreDecorators.Gated cutOffStore = new StoreDecorators.Gated(shared);
        NspRoomId lobby = new NspRoomId(app, "lobby");
        ConnectionId c1 = new ConnectionId(app + ":c1");
        RecordingObserver newOwnerSaw = new RecordingObserver();
        try (TcpProxy proxy = new TcpProxy(RabbitVhost.HOST, RabbitVhost.PORT);
             PresenceJobPublisher publisher = new PresenceJobPublisher(direct);
             RabbitBroadcaster broadcaster = new RabbitBroadcaster(direct);
             RabbitJobConsumer cutOff = RabbitJobConsumer.consume(proxied(direct, proxy), jobs(cutOffStore, broadcaster))) {
            publisher.publishAll(List.of(job(JobType.JOIN, "join", 0)));
            assertThat(cutOffStore.entered.await(30, TimeUnit.SECONDS)).as("the join being applied").isTrue();
            assertThat(proxy.partitionOpenConnections()).isEqualTo(1);

            try (RabbitJobConsumer newOwner = RabbitJobConsumer.consume(direct, jobs(shared, broadcaster), newOwnerSaw)) {
                Poll.await(Duration.ofSeconds(30), "the new owner to apply the join", () -> shared.isMember(lobby, c1));
                publisher.publishAll(List.of(job(JobType.LEAVE, "leave", 1)));
                Poll.await(Duration.ofSeconds(30), "the new owner to acknowledge the join and the leave",
                        () -> newOwnerSaw.jobs.get() == 2);
                assertThat(shared.isMember(lobby, c1)).isFalse();
                now.set(now.get().plus(JobMemory.DEFAULT_DUPLICATE_WINDOW).plusSeconds(1));
                assertThat(cutOff.isRunning()).as("the cut-off instance has not noticed").isTrue();

                cutOffStore.release.countDown();
                assertThat(cutOffStore.finished.await(30, TimeUnit.SECONDS)).isTrue();

                assertThat(shared.isMember(lobby, c1)).as("the member who left is not brought back").isFalse();
                assertThat(cutOffStore.failure).as("the held join, refused").isInstanceOf(FencedOutException.class);
                assertThat(newOwnerSaw.outcomes()).hasSize(2).allMatch(outcome -> outcome instanceof Outcome.Applied);
            }
        }
    }

    /**
     * Dead letters: a batch of one rejected job is held, after core rejected it, until its instance
     * has noticed the cut and reconnected, and been given the job again. Sent on a channel of the
     * new connection, the held batch's letter would reach presence-dlq beside the new epoch's.
     */
    @Test
    void aRejectedJobOfABatchHeldWhileItsChannelWasReplacedIsDeadLetteredOnce() throws Exception {
        RabbitSettings direct = TestSettings.of(broker);
        try (TcpProxy proxy = new TcpProxy(RabbitVhost.HOST, RabbitVhost.PORT);
             BroadcastCapture capture = BroadcastCapture.ofApp(broker, app, direct.queueCount());
             PresenceJobPublisher publisher = new PresenceJobPublisher(direct);
             RabbitBroadcaster broadcaster = new RabbitBroadcaster(direct)) {
            HeldFirstBatch held = new HeldFirstBatch(jobs(new InMemoryPresenceStore(), broadcaster));
            try (RabbitJobConsumer consumer = RabbitJobConsumer.consume(proxied(direct, proxy), held)) {
                String unknownType = JobBodies.room(app, "lobby", "c1", "join", JobBodies.seq(0));
                broker.withChannel(channel -> {
                    channel.basicPublish(Topology.JOB_EXCHANGE, Integer.toString(Shard.of("lobby", direct.queueCount())),
                            new com.rabbitmq.client.AMQP.BasicProperties.Builder().type("presence:dance")
                                    .messageId(UUID.randomUUID().toString()).deliveryMode(2).build(),
                            unknownType.getBytes(StandardCharsets.UTF_8));
                    return null;
                });
                assertThat(held.entered.await(30, TimeUnit.SECONDS)).as("the rejected job's batch, held").isTrue();

                assertThat(proxy.partitionOpenConnections()).isEqualTo(1);
                Poll.await(Duration.ofSeconds(60), "the instance to notice the cut", () -> !consumer.isRunning());
                Poll.await(Duration.ofSeconds(60), "the instance to reconnect", consumer::isRunning);
                Poll.await(Duration.ofSeconds(30), "the job given to it again", () -> broker.ready(lobbyQueue(direct)) == 0);
                held.release.countDown();

                Poll.await(Duration.ofSeconds(30), "the job dead-lettered", () -> broker.ready(Topology.DEAD_LETTER_QUEUE) >= 1);
                // A job after it, so that anything still on its way has arrived when it has.
                publisher.publishAll(List.of(job(JobType.JOIN, "join", 1)));
                Poll.await(Duration.ofSeconds(30), "the next job's broadcast", () -> capture.all().size() >= 1);
                assertThat(broker.ready(Topology.DEAD_LETTER_QUEUE)).as("one letter, the new epoch's").isEqualTo(1);
            }
        }
    }

    private PresenceJobs jobs(PresenceStore store, PresenceBroadcaster broadcaster) {
        return new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), store, broadcaster, new InMemoryHistory(),
                TimeSource.system());
    }

    private static RabbitSettings proxied(RabbitSettings direct, TcpProxy proxy) {
        return direct.withAddresses(List.of(new BrokerAddress("127.0.0.1", proxy.port())));
    }

    private static String lobbyQueue(RabbitSettings settings) {
        return Topology.shardQueue(Shard.of("lobby", settings.queueCount()));
    }

    /** A job of connection c1 in the lobby, its data {@code {"seq": seq}}. */
    private PresenceJobPublisher.Job job(JobType type, String event, int seq) {
        return PresenceJobPublisher.Job.of(type, JobBodies.room(app, "lobby", "c1", event, JobBodies.seq(seq)));
    }

    /** Holds the first batch once core has applied it (its outcomes known), before the worker sends its dead letters. */
    private static final class HeldFirstBatch implements ProcessJobs {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger calls = new AtomicInteger();
        private final ProcessJobs delegate;

        HeldFirstBatch(ProcessJobs delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppliedBatch applyBatch(List<RawJob> jobs, Fence fence) {
            AppliedBatch applied = delegate.applyBatch(jobs, fence);
            if (calls.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return applied;
        }

        @Override
        public FencingToken takeFencingToken(String resource) {
            return delegate.takeFencingToken(resource);
        }

        @Override
        public void jobsAcknowledged(List<RawJob> jobs, List<Outcome> outcomes) {
            delegate.jobsAcknowledged(jobs, outcomes);
        }
    }
}
