package com.relaybox.presence.app;

import com.relaybox.presence.app.config.Variable;

/** What {@code --help} prints: the modes, where configuration comes from, and every variable from {@link Variable}. */
final class Usage {
    private Usage() {
    }

    static String text() {
        StringBuilder text = new StringBuilder("""
                Usage: java -jar presence-app.jar [--help | --version]

                Presence keeps the presence sets of RelayBox rooms: it applies join, update, leave and
                disconnect jobs, broadcasts each change, and records it as history.

                Modes:
                  embedded  presence, broadcasts and history in memory; jobs over HTTP (POST /v1/jobs)
                  services  presence in Redis, jobs from RabbitMQ's shard queues presence-0..N-1,
                            broadcasts on ds.rooms.durable, history in PostgreSQL
                  PRESENCE_MODE chooses; unset, the mode is embedded unless REDIS_HOST,
                  REDIS_SENTINELS or RABBIT_MQ_CONNECTION_STRING is set.

                Configuration comes from the environment and from a .env file in the working directory
                (the environment wins; an empty value counts as unset). A bad value stops the service
                with exit code 2 and one line naming the variable.

                Variables (default, meaning):
                """);
        int width = 0;
        for (Variable variable : Variable.values()) width = Math.max(width, variable.name().length());
        for (Variable variable : Variable.values())
            text.append(String.format("  %-" + width + "s  %-15s  %s%n", variable.name(), variable.defaultValue(),
                    variable.summary()));
        return text.append("""

                HTTP on PRESENCE_HTTP_HOST:PRESENCE_HTTP_PORT: /v1/... (jobs, members, counts, rooms,
                history), /health/live, /health/ready, /metrics.
                Exit codes: 0 clean stop; 1 start failure or shutdown over 10 s; 2 configuration error or
                bad argument.
                """).toString();
    }
}
