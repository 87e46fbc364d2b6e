package com.relaybox.presence.adapter.rabbitmq.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.adapter.rabbitmq.TestSettings;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a connection's troubles look like in the log: one line each, no stack traces, nothing before a failed start. */
class RabbitConnectionsIT {
    @RegisterExtension
    final RabbitVhost vhost = RabbitVhost.named("connections");

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void listen() {
        lines.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        lines.start();
        root.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        root.detachAppender(lines);
    }

    /** What was logged so far; the appender adds under its own lock. */
    private List<ILoggingEvent> logged() {
        synchronized (lines) {
            return List.copyOf(lines.list);
        }
    }

    private List<ILoggingEvent> warnings() {
        return logged().stream().filter(line -> line.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }

    @Test
    void aConnectionLostAndRecoveredIsOneWarnLineWithoutAStackTrace() {
        RabbitSettings settings = TestSettings.of(vhost);
        Connection connection = RabbitConnections.open(settings, "probe");
        try {
            List<String> pids = vhost.connectionsNamed("it-probe");
            assertThat(pids).hasSize(1);
            vhost.closeConnection(pids.get(0));
            Poll.await(Duration.ofSeconds(20), "the connection recovered", () -> logged().stream()
                    .anyMatch(line -> line.getFormattedMessage().startsWith("event=rabbitmq_connection_recovered")));

            assertThat(warnings()).singleElement().satisfies(line -> {
                assertThat(line.getFormattedMessage()).startsWith("event=rabbitmq_connection_lost connection=it-probe");
                assertThat(line.getThrowableProxy()).isNull();
            });
        } finally {
            RabbitConnections.closeQuietly(connection, 2_000);
        }
    }

    @Test
    void aRefusedLoginAtStartIsTheCallersToTellAndLogsNothing() {
        RabbitSettings refused = RabbitSettings.of(vhost.uri().replace("guest:guest@", "guest:not-the-password@"))
                .withConnectionName("it");

        assertThatThrownBy(() -> RabbitConnections.open(refused, "probe"))
                .isInstanceOf(DependencyUnavailableException.class).hasMessageContaining("ACCESS_REFUSED");
        assertThat(warnings()).isEmpty();
    }
}
