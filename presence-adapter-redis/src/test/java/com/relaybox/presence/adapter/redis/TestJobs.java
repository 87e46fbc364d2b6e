package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.contract.PresenceSnapshot;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Store commands of one app for the tests: unique job ids, realistic member JSON, random mixes. */
final class TestJobs {
    final String app;
    private final AtomicLong jobIds = new AtomicLong();

    TestJobs(String app) {
        this.app = app;
    }

    StoreCommand.Join join(String room, String connection) {
        JobId job = nextJob();
        return new StoreCommand.Join(job, room(room), connection(connection), member(connection, job, EventType.JOIN), timestamp(job));
    }

    StoreCommand.Update update(String room, String connection) {
        JobId job = nextJob();
        return new StoreCommand.Update(job, room(room), connection(connection), member(connection, job, EventType.UPDATE), timestamp(job));
    }

    StoreCommand.Leave leave(String room, String connection) {
        JobId job = nextJob();
        return new StoreCommand.Leave(job, room(room), connection(connection), timestamp(job));
    }

    StoreCommand.Disconnect disconnect(String connection) {
        JobId job = nextJob();
        return new StoreCommand.Disconnect(job, connection(connection), timestamp(job));
    }

    NspRoomId room(String room) {
        return new NspRoomId(app, room);
    }

    ConnectionId connection(String name) {
        return new ConnectionId(app + ":" + name);
    }

    /**
     * Random batches of joins (40%), updates (15%), leaves (40%) and disconnects (5%) of one
     * worker's connections over the given rooms; a disconnected connection never comes back (a
     * fresh one takes its place), and now and then a command is repeated within its batch.
     */
    final class RandomJobs {
        private final String worker;
        private final Random random;
        private final List<String> rooms;
        private final List<String> connections = new ArrayList<>();
        private int generation;

        RandomJobs(String worker, long seed, List<String> rooms, int connectionCount) {
            this.worker = worker;
            this.random = new Random(seed);
            this.rooms = List.copyOf(rooms);
            for (int c = 0; c < connectionCount; c++) connections.add(worker + "-g0-c" + c);
        }

        List<StoreCommand> batch(int size) {
            List<StoreCommand> batch = new ArrayList<>(size + 2);
            for (int b = 0; b < size; b++) {
                int pick = random.nextInt(connections.size());
                String connection = connections.get(pick);
                String room = rooms.get(random.nextInt(rooms.size()));
                int dice = random.nextInt(100);
                StoreCommand command;
                if (dice < 40) command = join(room, connection);
                else if (dice < 55) command = update(room, connection);
                else if (dice < 95) command = leave(room, connection);
                else {
                    command = disconnect(connection);
                    connections.set(pick, worker + "-g" + (++generation) + "-c" + pick);
                }
                batch.add(command);
                if (random.nextInt(40) == 0) batch.add(command);
            }
            return batch;
        }

        int nextSize(int max) {
            return 1 + random.nextInt(max);
        }
    }

    /** Results with a disconnect's rooms as a set (their order is the hash's) and, if asked, without the repeat flag. */
    static List<Object> comparable(List<StoreResult> results, boolean withRepeat) {
        return results.stream().<Object>map(r -> withRepeat
                ? List.of(r.repeat(), r.effect(), new HashSet<>(r.rooms()), r.timestamp())
                : List.of(r.effect(), new HashSet<>(r.rooms()), r.timestamp())).toList();
    }

    /** What RelayBox's keys would hold for the model, to compare with a snapshot of Redis. */
    static PresenceSnapshot snapshotOf(InMemoryPresenceStore model) {
        return new PresenceSnapshot(model.indexes(), model.memberHashes(), model.presenceSets());
    }

    private String member(String connection, JobId job, EventType event) {
        return PresenceJson.member(new Member(Optional.of(app + ":client-" + connection), connection(connection),
                "{\"job\":\"" + job + "\"}", timestamp(job), event, "{\"username\":\"user " + connection + "\"}"));
    }

    private static String timestamp(JobId job) {
        long n = Long.parseLong(job.value().substring(job.value().lastIndexOf('-') + 1));
        return String.format("2024-10-03T14:%02d:%02d.%03dZ", (n / 60_000) % 60, (n / 1000) % 60, n % 1000);
    }

    private JobId nextJob() {
        return new JobId(app + "-job-" + jobIds.incrementAndGet());
    }
}
