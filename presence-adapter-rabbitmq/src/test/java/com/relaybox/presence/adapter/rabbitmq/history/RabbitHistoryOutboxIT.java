package com.relaybox.presence.adapter.rabbitmq.history;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.relaybox.presence.adapter.rabbitmq.TestSettings;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.json.HistoryJson;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RabbitHistoryOutboxIT {
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("history-outbox");
    private HistoryQueueSettings settings;
    private Connection admin;
    private Channel channel;

    @BeforeEach
    void connect() throws Exception {
        settings = new HistoryQueueSettings(TestSettings.of(broker).withConfirmTimeout(Duration.ofSeconds(5)),
                "history-" + UUID.randomUUID());
        admin = broker.connection();
        channel = admin.createChannel();
    }

    @AfterEach
    void disconnect() throws Exception {
        admin.close();
    }

    @Test
    void aLoneCallIsOnePersistentMessageHoldingEveryRecord() throws Exception {
        List<HistoryRecord> records = Records.batch("a", 3);
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(settings)) {
            Confirmations.await(outbox.record(records));
            Confirmations.await(outbox.record(List.of()));
        }

        assertThat(channel.queueDeclarePassive(settings.queue()).getMessageCount()).isEqualTo(1);
        GetResponse message = channel.basicGet(settings.queue(), true);
        assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(message.getProps().getContentType()).isEqualTo("application/json");
        assertThat(HistoryJson.decode(message.getBody())).hasSize(3)
                .extracting(HistoryRecord::jobId).containsExactlyElementsOf(records.stream().map(HistoryRecord::jobId).toList());
    }

    @Test
    void theQueueIsDurableOfTheConfiguredTypeAndDeclaringItAgainChangesNothing() throws Exception {
        try (RabbitHistoryOutbox first = new RabbitHistoryOutbox(settings);
             RabbitHistoryOutbox second = new RabbitHistoryOutbox(settings)) {
            Confirmations.await(first.record(Records.batch("b", 1)));
            Confirmations.await(second.record(Records.batch("c", 1)));
        }
        // Declaring with the very arguments succeeds only if the queue has them (quorum, durable, dead-lettering).
        HistoryTopology.declare(channel, settings);
        assertThat(channel.queueDeclarePassive(settings.queue()).getMessageCount()).isEqualTo(2);
        assertThat(channel.queueDeclarePassive(settings.deadLetterQueue()).getMessageCount()).isZero();
    }

    @Test
    void concurrentCallersEachGetTheirRecordsConfirmedGatheredIntoFewerMessages() throws Exception {
        int threads = 6, calls = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(settings)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < calls; i++) Confirmations.await(outbox.record(Records.batch(prefix + "-" + i, 2)));
                }));
            }
            for (Future<?> future : done) future.get();
        } finally {
            pool.shutdown();
        }
        List<String> jobIds = drainJobIds();
        assertThat(jobIds).hasSize(threads * calls * 2).doesNotHaveDuplicates();
    }

    @Test
    void callsWithinALingerShareOneMessageAndEachIsConfirmedWithIt() throws Exception {
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(settings)) {
            Confirmations.await(outbox.record(Records.batch("first", 1)));           // goes at once; the next ones wait for the linger
            for (int i = 0; i < 300; i++) confirmations.add(outbox.record(Records.batch("call" + i, 2)));
            for (CompletableFuture<Void> confirmation : confirmations) confirmation.get(10, TimeUnit.SECONDS);
        }
        int messages = channel.queueDeclarePassive(settings.queue()).getMessageCount();
        List<String> jobIds = drainJobIds();
        assertThat(jobIds).hasSize(1 + 600).doesNotHaveDuplicates();
        assertThat(messages).as("1 + 600 records at most %d per message", RabbitHistoryOutbox.MAX_RECORDS)
                .isBetween(2, 4);
    }

    /** The job ids of every record in the queue, taking the messages off it. */
    private List<String> drainJobIds() throws Exception {
        List<String> jobIds = new ArrayList<>();
        for (GetResponse message; (message = channel.basicGet(settings.queue(), true)) != null; )
            for (HistoryRecord record : HistoryJson.decode(message.getBody())) jobIds.add(record.jobId().value() + "/" + record.eventIndex());
        return jobIds;
    }

    @Test
    void aRecordTheBrokerCannotRouteFailsAndTheNextCallDeclaresTheQueueAgain() throws Exception {
        try (RabbitHistoryOutbox outbox = new RabbitHistoryOutbox(settings)) {
            channel.queueDelete(settings.queue());

            assertThatThrownBy(() -> Confirmations.await(outbox.record(Records.batch("lost", 1))))
                    .isInstanceOf(DependencyUnavailableException.class).hasMessageContaining("could not route");

            Confirmations.await(outbox.record(Records.batch("kept", 1)));
        }
        GetResponse message = channel.basicGet(settings.queue(), true);
        assertThat(HistoryJson.decode(message.getBody()).get(0).jobId().value()).isEqualTo("kept-job-0");
    }

    @Test
    void anUnreachableBrokerIsADependencyUnavailable() {
        HistoryQueueSettings nowhere = HistoryQueueSettings.of("amqp://guest:guest@127.0.0.1:1/");
        assertThatThrownBy(() -> new RabbitHistoryOutbox(nowhere)).isInstanceOf(DependencyUnavailableException.class);
    }
}
