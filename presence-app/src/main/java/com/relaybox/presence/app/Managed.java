package com.relaybox.presence.app;

/**
 * A part of the service that runs between start and shutdown. Parts start in phase order and
 * stop in the reverse order, so intake stops first and connections close last.
 */
public interface Managed {

    enum Phase {
        /** Clients of Redis, RabbitMQ, PostgreSQL; publishers that flush confirms when stopped. */
        CONNECTIONS,
        /** Consumers: stopped after intake, so in-flight jobs finish while connections are still open. */
        WORKERS,
        /** What takes new work from outside: the HTTP API. */
        INTAKE
    }

    /** A short name for log lines. */
    String name();

    Phase phase();

    void start() throws Exception;

    /** Stops gracefully: finishes what is in flight, acknowledges it, then releases resources. */
    void stop() throws Exception;

    /** A resource that is ready once built and only needs closing at shutdown. */
    static Managed closing(String name, Phase phase, AutoCloseable resource) {
        return starting(name, phase, () -> {
        }, resource);
    }

    /** A resource built first, then started with the other parts (once every dependency has answered), closed at shutdown. */
    static Managed starting(String name, Phase phase, Runnable start, AutoCloseable resource) {
        return new Managed() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Phase phase() {
                return phase;
            }

            @Override
            public void start() {
                start.run();
            }

            @Override
            public void stop() throws Exception {
                resource.close();
            }
        };
    }
}
