package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.relaybox.presence.adapter.rabbitmq.TestSettings;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryWriterIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("history-writer");
    private HistoryQueueSettings queue;
    private final HistoryWriterSettings fast = HistoryWriterSettings.defaults()
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    private final ControlledRecorder target = new ControlledRecorder();
    private Connection admin;
    private Channel channel;

    @BeforeEach
    void connect() throws Exception {
        queue = new HistoryQueueSettings(TestSettings.of(broker).withConfirmTimeout(Duration.ofSeconds(5)),
                "history-" + UUID.randomUUID());
        admin = broker.connection();
        channel = admin.createChannel();
        HistoryTopology.declare(channel, queue);
    }

    @AfterEach
    void disconnect() throws Exception {
        admin.close();
    }

    private long inQueue() {
        try {
            return channel.queueDeclarePassive(queue.queue()).getMessageCount();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void publish(List<HistoryRecord> records) throws Exception {
        publishRaw(HistoryJson.encode(records));
    }

    private void publishRaw(byte[] body) throws Exception {
        channel.basicPublish("", queue.queue(), new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);
    }

    @Test
    void publishedRecordsAreWrittenOnceAndTheirMessagesAcknowledged() throws Exception {
        List<HistoryRecord> all = new ArrayList<>();
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(queue);
             HistoryWriter writer = new HistoryWriter(queue, fast, target)) {
            for (int i = 0; i < 20; i++) {
                List<HistoryRecord> batch = Records.batch("m" + i, 5);
                all.addAll(batch);
                Confirmations.await(outbox.record(batch));
            }
            assertThat(Poll.until(WAIT, () -> target.kept.all().size() == all.size()))
                    .as("every record written").isTrue();
            assertThat(Poll.until(WAIT, () -> writer.status().backlogMessages().equals(OptionalLong.of(0))))
                    .as("no backlog").isTrue();
            HistoryWriter.Status status = writer.status();
            assertThat(status.healthy()).isTrue();
            assertThat(status.recordsWritten()).isEqualTo(all.size());
        }
        assertThat(target.kept.all()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(inQueue()).isZero();
    }

    @Test
    void severalMessagesAreMergedIntoOneWrite() throws Exception {
        for (int i = 0; i < 30; i++) publish(Records.batch("merge" + i, 3));

        try (HistoryWriter writer = new HistoryWriter(queue, fast.withBatch(1_000, Duration.ofSeconds(2)), target)) {
            assertThat(Poll.until(WAIT, () -> target.kept.all().size() == 90)).as("every record written").isTrue();
        }
        assertThat(target.calls.get()).isLessThan(30);
        assertThat(inQueue()).isZero();
    }

    @Test
    void whileTheStoreIsDownNothingIsAcknowledgedAndAllIsWrittenOnceItIsBack() throws Exception {
        target.down(true);
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(queue);
             HistoryWriter writer = new HistoryWriter(queue, fast, target)) {
            for (int i = 0; i < 10; i++) Confirmations.await(outbox.record(Records.batch("down" + i, 4)));

            assertThat(Poll.until(WAIT, () -> target.failures.get() >= 3))
                    .as("the writer retried several times").isTrue();
            HistoryWriter.Status degraded = writer.status();
            assertThat(degraded.healthy()).isFalse();
            assertThat(degraded.detail()).contains("test store is down");
            assertThat(degraded.backlogMessages()).hasValue(10);
            assertThat(target.kept.all()).isEmpty();

            target.down(false);
            assertThat(Poll.until(WAIT, () -> target.kept.all().size() == 40)).as("every record written").isTrue();
            assertThat(Poll.until(WAIT, () -> writer.status().healthy()
                    && writer.status().backlogMessages().equals(OptionalLong.of(0))))
                    .as("healthy again with no backlog").isTrue();
        }
        assertThat(inQueue()).isZero();
    }

    @Test
    void whenTheBrokerDropsTheConnectionsBothSidesRecoverAndEveryRecordIsWritten() throws Exception {
        List<HistoryRecord> before = Records.batch("before", 3);
        List<HistoryRecord> after = Records.batch("after", 3);
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(queue);
             HistoryWriter writer = new HistoryWriter(queue, fast, target)) {
            Confirmations.await(outbox.record(before));
            assertThat(Poll.until(WAIT, () -> target.kept.all().size() == 3)).as("written before the drop").isTrue();
            List<String> connections = broker.connectionsNamed("it-history-");
            assertThat(connections).as("the outbox's and the writer's connections").hasSize(2);

            connections.forEach(broker::closeConnection);

            // A call while the connection recovers fails, and its caller tries it again, as the job pipeline does.
            assertThat(Poll.until(WAIT, () -> recorded(outbox, after))).as("published after the recovery").isTrue();
            assertThat(Poll.until(WAIT, () -> target.kept.all().size() == 6)).as("written after the recovery").isTrue();
            assertThat(Poll.until(WAIT, () -> writer.status().healthy()
                    && writer.status().backlogMessages().equals(OptionalLong.of(0))))
                    .as("healthy again with no backlog").isTrue();
        }
        assertThat(target.kept.all()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(before.stream(), after.stream()).toList());
        assertThat(inQueue()).isZero();
    }

    private static boolean recorded(RabbitHistoryOutbox outbox, List<HistoryRecord> records) {
        try {
            Confirmations.await(outbox.record(records));
            return true;
        } catch (DependencyUnavailableException e) {
            return false;
        }
    }

    @Test
    void aMessageDeliveredAgainAfterItsRecordsWereKeptWritesNothingTwice() throws Exception {
        List<HistoryRecord> records = Records.batch("again", 6);
        publish(records);
        target.hold();
        HistoryWriter first = new HistoryWriter(queue, fast.withBatch(1_000, Duration.ZERO)
                .withCloseTimeout(Duration.ZERO), target);
        assertThat(target.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // The records are kept but the write has not returned: the writer dies before its ack.
        CompletableFuture<Void> closed = CompletableFuture.runAsync(first::close);
        assertThat(Poll.until(WAIT, () -> inQueue() == 1)).as("the message is back in the queue").isTrue();
        target.release();
        closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        try (HistoryWriter second = new HistoryWriter(queue, fast, target)) {
            assertThat(Poll.until(WAIT, () -> target.calls.get() >= 2 && inQueue() == 0
                    && second.status().backlogMessages().equals(OptionalLong.of(0))))
                    .as("the message is consumed again").isTrue();
        }
        assertThat(target.kept.all()).containsExactlyInAnyOrderElementsOf(records);
    }

    @Test
    void closeFinishesAndAcknowledgesTheBatchInFlight() throws Exception {
        publish(Records.batch("inflight", 4));
        target.hold();
        HistoryWriter writer = new HistoryWriter(queue, fast.withBatch(1_000, Duration.ZERO), target);
        assertThat(target.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closed = CompletableFuture.runAsync(writer::close);
        target.release();
        closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(target.kept.all()).hasSize(4);
        assertThat(inQueue()).isZero();
    }

    @Test
    void aMessageThatIsNotHistoryIsDeadLetteredAndTheRestIsWritten() throws Exception {
        publishRaw("certainly not history".getBytes(StandardCharsets.UTF_8));
        publish(Records.batch("good", 2));

        try (HistoryWriter writer = new HistoryWriter(queue, fast, target)) {
            assertThat(Poll.until(WAIT, () -> target.kept.all().size() == 2)).as("the good records written").isTrue();
            assertThat(Poll.until(WAIT, () -> {
                try {
                    return channel.queueDeclarePassive(queue.deadLetterQueue()).getMessageCount() == 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            })).as("the bad message dead-lettered").isTrue();
            assertThat(writer.status().healthy()).isTrue();
        }
        GetResponse dead = channel.basicGet(queue.deadLetterQueue(), true);
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("certainly not history");
        assertThat(inQueue()).isZero();
    }
}
