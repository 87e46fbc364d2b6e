package com.relaybox.presence.adapter.rabbitmq.internal;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedConsumer;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import com.relaybox.presence.adapter.rabbitmq.AmqpEndpoint;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * Opens the connections of this module: to one of the settings' addresses (the client takes them
 * in random order, so an instance's connections spread over a cluster's nodes), automatic recovery
 * (connection, channels, topology, consumers) on, a reconnect attempt every second to the next
 * address that answers, the settings' heartbeat, TLS with the JVM's trust store and host name
 * verification for {@code amqps://}, and one log line per lifecycle event (lost, recovered, each
 * naming the node). Public only so that the other packages of this module can use it;
 * it is not part of the adapter's API.
 */
public final class RabbitConnections {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitConnections.class);
    static final long RECOVERY_INTERVAL_MS = 1_000;

    /**
     * Recovery re-registers consumers only: every exchange, queue and binding of this module is
     * durable and outlives a connection (and a broker restart), and they are declared on short-lived
     * channels that recovery could not reuse anyway.
     */
    private static final TopologyRecoveryFilter CONSUMERS_ONLY = new TopologyRecoveryFilter() {
        @Override
        public boolean filterExchange(RecordedExchange recordedExchange) {
            return false;
        }

        @Override
        public boolean filterQueue(RecordedQueue recordedQueue) {
            return false;
        }

        @Override
        public boolean filterBinding(RecordedBinding recordedBinding) {
            return false;
        }

        @Override
        public boolean filterConsumer(RecordedConsumer recordedConsumer) {
            return true;
        }
    };

    private RabbitConnections() {
    }

    /**
     * Opens a recovering connection named {@code <connectionName>-<role>}.
     *
     * @throws DependencyUnavailableException when the broker cannot be reached or refuses us
     */
    public static Connection open(RabbitSettings settings, String role) {
        return open(settings, role, true);
    }

    /**
     * Opens a connection that stays closed once lost, for a one-off task (the dead-letter replay)
     * that must stop at the first failure rather than carry on, unnoticed, on a recovered channel.
     *
     * @throws DependencyUnavailableException when the broker cannot be reached or refuses us
     */
    public static Connection openWithoutRecovery(RabbitSettings settings, String role) {
        return open(settings, role, false);
    }

    private static Connection open(RabbitSettings settings, String role, boolean recovering) {
        AmqpEndpoint endpoint = settings.endpoint();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(endpoint.username());
        factory.setPassword(endpoint.password());
        factory.setVirtualHost(endpoint.virtualHost());
        factory.setAutomaticRecoveryEnabled(recovering);
        factory.setTopologyRecoveryEnabled(recovering);
        factory.setTopologyRecoveryFilter(CONSUMERS_ONLY);
        factory.setNetworkRecoveryInterval(RECOVERY_INTERVAL_MS);
        factory.setRequestedHeartbeat((int) settings.heartbeat().toSeconds());
        factory.setConnectionTimeout(10_000);
        factory.setExceptionHandler(new OneLineExceptionHandler());
        if (endpoint.tls()) {
            try {
                factory.useSslProtocol(SSLContext.getDefault());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context for " + endpoint, e);
            }
            factory.enableHostnameVerification();
        }
        String name = settings.connectionName() + "-" + role;
        Connection connection;
        try {
            connection = factory.newConnection(settings.addresses().stream()
                    .map(address -> new Address(address.host(), address.port())).toList(), name);
        } catch (IOException | TimeoutException e) {
            throw new DependencyUnavailableException("cannot connect to RabbitMQ at " + endpoint + nodes(settings) + " as "
                    + name + ": " + describe(e), e);
        }
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication())
                LOG.warn("event=rabbitmq_connection_lost connection={} rabbitmq={} error={}", name, endpoint,
                        Logfmt.quote(describe(cause)));
        });
        connection.addBlockedListener(
                reason -> LOG.warn("event=rabbitmq_connection_blocked connection={} alarm={}", name, Logfmt.quote(reason)),
                () -> LOG.info("event=rabbitmq_connection_unblocked connection={}", name));
        if (connection instanceof Recoverable recoverableConnection) recoverableConnection.addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                LOG.info("event=rabbitmq_connection_recovered connection={} rabbitmq={} node={}", name, endpoint,
                        node((Connection) recoverable));
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                LOG.info("event=rabbitmq_connection_recovering connection={} rabbitmq={}", name, endpoint);
            }
        });
        LOG.info("event=rabbitmq_connection_open connection={} rabbitmq={} node={}", name, endpoint, node(connection));
        return connection;
    }

    /** The node a connection is on now, as {@code ip:port}. */
    public static String node(Connection connection) {
        return connection.getAddress().getHostAddress() + ":" + connection.getPort();
    }

    private static String nodes(RabbitSettings settings) {
        List<String> nodes = settings.addresses().stream().map(Object::toString).toList();
        return nodes.equals(List.of(settings.endpoint().host() + ":" + settings.endpoint().port())) ? ""
                : " (nodes " + String.join(",", nodes) + ")";
    }

    /**
     * What the client reports about its own failures, as one WARN line without a stack trace. The
     * connection's driver failing (a refused login at start, a broken pipe after a freeze) is only
     * a debug line: the start then fails with its one {@code event=start_failed} line, and a lost
     * connection has its {@code event=rabbitmq_connection_lost} line and recovers by itself.
     */
    static final class OneLineExceptionHandler extends ForgivingExceptionHandler {
        @Override
        public void handleUnexpectedConnectionDriverException(Connection connection, Throwable exception) {
            LOG.debug("event=rabbitmq_driver_error connection={} error={}", Logfmt.quote(String.valueOf(
                    connection.getClientProvidedName())), Logfmt.quote(describe(exception)));
        }

        @Override
        protected void log(String message, Throwable exception) {
            LOG.warn("event=rabbitmq_client_error detail={} error={}", Logfmt.quote(message),
                    Logfmt.quote(describe(exception)));
        }
    }

    /** One line about a client failure: its message, or its class when it has none, and its cause's. */
    public static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 300; t = t.getCause()) {
            if (text.length() > 0) text.append(" <- ");
            text.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t.getCause() == t) break;
        }
        return text.toString().replaceAll("[\\r\\n]+", " ");
    }

    /**
     * Closes a channel, or aborts it when closing fails; a channel already gone is left alone (the
     * broker put back its unacknowledged deliveries when it went).
     */
    public static void closeQuietly(Channel channel) {
        if (channel == null || !channel.isOpen()) return;
        try {
            channel.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
            try {
                channel.abort();
            } catch (IOException | RuntimeException ignored) {
                // the connection is gone or in recovery: nothing to give back
            }
        }
    }

    /** Closes quietly, for shutdown paths. */
    public static void closeQuietly(Connection connection, int timeoutMs) {
        if (connection == null) return;
        try {
            connection.close(timeoutMs);
        } catch (IOException | RuntimeException e) {
            connection.abort(timeoutMs);
        }
    }
}
