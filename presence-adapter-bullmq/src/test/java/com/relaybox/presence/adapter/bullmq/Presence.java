package com.relaybox.presence.adapter.bullmq;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryBroadcaster;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.TimeSource;
import com.relaybox.presence.core.service.PresenceJobs;

import java.util.List;

/**
 * Core over its in-memory ports, as the service would run it over Redis, RabbitMQ and PostgreSQL:
 * what the intake feeds it shows in the state, in the broadcasts (the bodies RabbitMQ would carry)
 * and in the history. Several intakes may share one, as instances share the real servers.
 */
final class Presence {
    final InMemoryPresenceStore store = new InMemoryPresenceStore();
    final InMemoryBroadcaster broadcaster = new InMemoryBroadcaster();
    final InMemoryHistory history = new InMemoryHistory();
    final ProcessJobs jobs = new PresenceJobs(new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES), store, broadcaster, history,
            TimeSource.system());

    /** Every broadcast body so far, parsed. */
    List<JsonObject> broadcasts() {
        return broadcaster.sent().stream().map(sent -> JsonParser.parseString(sent.body()).getAsJsonObject()).toList();
    }
}
