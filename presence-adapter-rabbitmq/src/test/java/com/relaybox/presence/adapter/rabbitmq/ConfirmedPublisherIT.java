package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Confirms, returns and channel failures of {@link ConfirmedPublisher}, against the real broker. */
class ConfirmedPublisherIT {
    private static final AMQP.BasicProperties PLAIN = new AMQP.BasicProperties();
    @RegisterExtension
    static final RabbitVhost broker = RabbitVhost.named("confirmed-publisher");

    private Connection connection;
    private Channel reader;
    private ConfirmedPublisher publisher;
    private String queue;

    @BeforeEach
    void open() throws IOException {
        connection = broker.connection();
        reader = connection.createChannel();
        queue = reader.queueDeclare().getQueue();
        publisher = new ConfirmedPublisher(connection, Duration.ofSeconds(10), "test");
    }

    @AfterEach
    void close() throws IOException {
        publisher.close();
        connection.close();
    }

    @Test
    void listsPublishedInOrderWithoutWaitingAreEachConfirmedAndArriveInCallOrder() throws Exception {
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        for (int list = 0; list < 50; list++) {
            List<ConfirmedPublisher.Message> messages = new ArrayList<>();
            for (int i = 0; i < 10; i++) messages.add(toQueue(Integer.toString(list * 10 + i), true));
            confirmations.add(publisher.publishInOrder(messages));
        }

        for (CompletableFuture<Void> confirmation : confirmations) confirmation.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 500; i++) {
            GetResponse message = reader.basicGet(queue, true);
            assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void anUnroutableMandatoryMessageFailsItsListAndNotTheNextOne() throws Exception {
        CompletableFuture<Void> lost = publisher.publishInOrder(List.of(
                new ConfirmedPublisher.Message("", "no-such-queue-" + queue, true, PLAIN, new byte[]{'x'})));
        CompletableFuture<Void> kept = publisher.publishInOrder(List.of(toQueue("kept", true)));

        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(DependencyUnavailableException.class)
                .hasMessageContaining("could not route test messages");
        kept.get(10, TimeUnit.SECONDS);
        assertThat(reader.basicGet(queue, true).getBody()).isEqualTo("kept".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aChannelTheBrokerClosesFailsWhatAwaitsConfirmsAndTheNextCallUsesAFreshChannel() throws Exception {
        // Publishing to a missing exchange is a channel error: the broker closes the channel.
        CompletableFuture<Void> lost = publisher.publishInOrder(List.of(
                new ConfirmedPublisher.Message("no-such-exchange", "x", false, PLAIN, new byte[]{'x'})));

        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(DependencyUnavailableException.class)
                .hasMessageContaining("closed before their confirms came");
        publisher.publishInOrder(List.of(toQueue("after", true))).get(10, TimeUnit.SECONDS);
        publisher.publish(List.of(toQueue("pooled", true)));
        assertThat(reader.basicGet(queue, true).getBody()).isEqualTo("after".getBytes(StandardCharsets.UTF_8));
        assertThat(reader.basicGet(queue, true).getBody()).isEqualTo("pooled".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aClosedPublisherFailsAtOnce() {
        publisher.close();

        assertThat(publisher.publishInOrder(List.of(toQueue("late", true)))).isCompletedExceptionally();
        assertThatThrownBy(() -> publisher.publish(List.of(toQueue("late", true))))
                .isInstanceOf(DependencyUnavailableException.class).hasMessageContaining("closed");
    }

    private ConfirmedPublisher.Message toQueue(String body, boolean mandatory) {
        return new ConfirmedPublisher.Message("", queue, mandatory, PLAIN, body.getBytes(StandardCharsets.UTF_8));
    }
}
