package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import com.relaybox.presence.testkit.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The race of a frozen or cut-off instance, made to happen: the broker has closed the consumer's
 * connection (and may have handed the queue on) while the instance, which has not noticed yet,
 * holds a batch it is applying. The consumer goes through a proxy that closes the broker's end
 * and leaves the client's open and silent; the broadcaster's own connection is direct and alive.
 * The batch's broadcast must not reach the broker: it goes out on the consumer's connection, where
 * the broker takes nothing any more; the job is broadcast once, by whoever consumes it next (here
 * the same instance, once it has noticed and reconnected).
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
            PresenceJobs jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), store, broadcaster,
                    new InMemoryHistory(), TimeSource.system());
            RabbitSettings proxied = direct.withAddresses(List.of(new BrokerAddress("127.0.0.1", proxy.port())));
            try (RabbitJobConsumer consumer = RabbitJobConsumer.consume(proxied, jobs)) {
                publisher.publishAll(List.of(PresenceJobPublisher.Job.of(JobType.JOIN, JobBodies.room(app, "lobby", "c1", "join",
                        JobBodies.seq(0)))));
                assertThat(store.entered.await(30, TimeUnit.SECONDS)).as("the batch being applied").isTrue();

                assertThat(proxy.partitionOpenConnections()).isEqualTo(1);
                String shardQueue = "presence-" + com.relaybox.presence.core.domain.Shard.of("lobby", direct.queueCount());
                Poll.await(Duration.ofSeconds(30), "the broker to put the job back", () -> broker.ready(shardQueue) == 1);
                assertThat(consumer.isRunning()).as("the instance has not noticed").isTrue();
                store.release.countDown();

                Poll.await(Duration.ofSeconds(60), "the job to be broadcast, once reconnected", () -> capture.all().size() >= 1);
                Poll.await(Duration.ofSeconds(30), "the queue drained", () -> broker.ready(shardQueue) == 0);
                // A job after it, so that anything still on its way has arrived when it has.
                publisher.publishAll(List.of(PresenceJobPublisher.Job.of(JobType.UPDATE, JobBodies.room(app, "lobby", "c1", "update",
                        JobBodies.seq(1)))));
                Poll.await(Duration.ofSeconds(30), "the next job's broadcast", () -> capture.all().size() >= 2);
                assertThat(capture.bodies()).as("each job broadcast once, the held batch not from the cut-off connection")
                        .hasSize(2)
                        .satisfiesExactly(first -> assertThat(first).contains("\"seq\":0"),
                                second -> assertThat(second).contains("\"seq\":1"));
            }
        }
    }
}
