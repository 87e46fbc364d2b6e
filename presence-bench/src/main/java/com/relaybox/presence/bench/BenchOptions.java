package com.relaybox.presence.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The generator's options; every one has a default, so a bare run measures something sensible. */
record BenchOptions(String rabbitUri, String redisHost, int redisPort, int queueCount,
                    int jobs, int warmupJobs, int rate, int rooms, int connections, int roomsPerConnection,
                    Mix mix, int dataBytes, boolean uniform, long seed, int maxInFlight, Duration drainTimeout,
                    Optional<Path> jsonFile, boolean keepState, Intake intake, String bullMqPrefix, String bullMqQueue,
                    Path bullMqFixture, int ghosts, String heartbeatKey, int livenessTimeoutSeconds, boolean backlog,
                    boolean timeline) {

    /** Which of the service's intakes the jobs go to, the way RelayBox's producers enqueue them there. */
    enum Intake { RABBITMQ, BULLMQ }

    static final String USAGE = """
            usage: java -jar presence-bench/target/presence-bench.jar [options]
              --jobs N                 measured jobs (default 100000)
              --warmup N               warm-up jobs after the rooms are populated, not measured (default 10000)
              --rate R                 jobs/s, paced; 0 = as fast as possible (default 0)
              --rooms N                rooms (default 1000)
              --connections N          connections (default 5000)
              --rooms-per-connection N the steady population: rooms each connection is in (default 2)
              --mix J,U,L              % of joins, updates, leaves (default 45,10,45)
              --data-bytes N           size of each job's message.data (default 100)
              --mode steady|uniform    steady: leaves and updates pick current members, joins pick a
                                       connection not in the room, so every job broadcasts; uniform:
                                       random connection and room (default steady)
              --max-in-flight N        at most N jobs published but not yet broadcast (default 20000)
              --drain-timeout SECONDS  how long to wait for missing broadcasts (default 30)
              --seed N                 random seed (default 1)
              --json FILE              also write the result as JSON to FILE
              --keep-state             leave the run's Redis keys in place (default: deleted after the check)
              --backlog                publish the population and the jobs as one backlog, with no bound in
                                       flight and no warm-up, print "published N jobs" once all are
                                       confirmed, then wait for their broadcasts: start the service after
                                       that line to measure a drain (presence-bench/backlog-drain.sh)
              --timeline               also report the measured phase second by second: broadcasts first
                                       received in each second, their p99 and max latency (to see the dip
                                       and the recovery when a server is killed mid-run)
              --ghosts N               the ghost scenario: N more connections join rooms-per-connection rooms
                                       each, get one heartbeat and no more, while the live ones are
                                       refreshed every 2 s; reports the time to their last leave and the
                                       job stream's latency meanwhile (default 0: no ghosts)
              --heartbeat-key K        where the service reads heartbeats, its PRESENCE_HEARTBEAT_KEY
                                       (default heartbeat:keepalive)
              --liveness-timeout-s T   the service's PRESENCE_LIVENESS_TIMEOUT_S, for the report (default 90)
              --rabbit URI             (default $RABBIT_MQ_CONNECTION_STRING or amqp://guest:guest@127.0.0.1:5672/)
              --redis-host H --redis-port P   (default $REDIS_HOST/$REDIS_PORT or 127.0.0.1:6379)
              --queue-count N          (default $RABBIT_MQ_QUEUE_COUNT or 5)
              --intake rabbitmq|bullmq rabbitmq: the job publisher, to the shard queues; bullmq: the real
                                       npm bullmq 5.16.0 as RelayBox's realtime service enqueues, into
                                       Redis (--redis-host/--redis-port) (default rabbitmq)
              --bullmq-prefix P --bullmq-queue Q   the BullMQ queue, as the service's PRESENCE_BULLMQ_PREFIX
                                       and PRESENCE_BULLMQ_QUEUE (default queue, presence)
              --bullmq-fixture DIR     the Node fixture with bullmq installed (`npm ci` there)
                                       (default presence-adapter-bullmq/src/test/node)
            """;

    record Mix(int join, int update, int leave) {
        Mix {
            if (join < 0 || update < 0 || leave < 0 || join + update + leave != 100)
                throw new IllegalArgumentException("--mix must be three percentages adding up to 100");
        }
    }

    static BenchOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        java.util.Set<String> flags = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            String name = arg.substring(2);
            if (name.equals("keep-state") || name.equals("backlog") || name.equals("timeline") || name.equals("help")) {
                flags.add(name);
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(arg + " needs a value");
            given.put(name, args[++i]);
        }
        if (flags.contains("help")) throw new IllegalArgumentException("help");
        Reader r = new Reader(given);
        String[] mix = r.string("mix", "45,10,45").split(",");
        if (mix.length != 3) throw new IllegalArgumentException("--mix must be J,U,L");
        String mode = r.string("mode", "steady");
        if (!mode.equals("steady") && !mode.equals("uniform"))
            throw new IllegalArgumentException("--mode must be steady or uniform, got " + mode);
        String intake = r.string("intake", "rabbitmq");
        if (!intake.equals("rabbitmq") && !intake.equals("bullmq"))
            throw new IllegalArgumentException("--intake must be rabbitmq or bullmq, got " + intake);
        BenchOptions options = new BenchOptions(
                r.string("rabbit", env.getOrDefault("RABBIT_MQ_CONNECTION_STRING", "amqp://guest:guest@127.0.0.1:5672/")),
                r.string("redis-host", env.getOrDefault("REDIS_HOST", "127.0.0.1")),
                r.integer("redis-port", Integer.parseInt(env.getOrDefault("REDIS_PORT", "6379")), 1),
                r.integer("queue-count", Integer.parseInt(env.getOrDefault("RABBIT_MQ_QUEUE_COUNT", "5")), 1),
                r.integer("jobs", 100_000, 1),
                r.integer("warmup", 10_000, 0),
                r.integer("rate", 0, 0),
                r.integer("rooms", 1_000, 1),
                r.integer("connections", 5_000, 1),
                r.integer("rooms-per-connection", 2, 1),
                new Mix(Integer.parseInt(mix[0].trim()), Integer.parseInt(mix[1].trim()), Integer.parseInt(mix[2].trim())),
                r.integer("data-bytes", 100, 16),
                mode.equals("uniform"),
                r.integer("seed", 1, 0),
                r.integer("max-in-flight", 20_000, 1),
                Duration.ofSeconds(r.integer("drain-timeout", 30, 1)),
                given.containsKey("json") ? Optional.of(Path.of(given.remove("json"))) : Optional.empty(),
                flags.contains("keep-state"),
                intake.equals("bullmq") ? Intake.BULLMQ : Intake.RABBITMQ,
                r.string("bullmq-prefix", "queue"),
                r.string("bullmq-queue", "presence"),
                Path.of(r.string("bullmq-fixture", "presence-adapter-bullmq/src/test/node")),
                r.integer("ghosts", 0, 0),
                r.string("heartbeat-key", "heartbeat:keepalive"),
                r.integer("liveness-timeout-s", 90, 1),
                flags.contains("backlog"),
                flags.contains("timeline"));
        given.keySet().removeAll(r.read);
        if (!given.isEmpty()) throw new IllegalArgumentException("unknown option --" + given.keySet().iterator().next());
        if (options.roomsPerConnection >= options.rooms)
            throw new IllegalArgumentException("--rooms-per-connection must be below --rooms");
        return options;
    }

    private static final class Reader {
        final Map<String, String> given;
        final java.util.Set<String> read = new java.util.HashSet<>();

        Reader(Map<String, String> given) {
            this.given = given;
        }

        String string(String name, String fallback) {
            read.add(name);
            return given.getOrDefault(name, fallback);
        }

        int integer(String name, int fallback, int min) {
            String value = string(name, null);
            if (value == null) return fallback;
            try {
                int parsed = Integer.parseInt(value.replace("_", ""));
                if (parsed < min) throw new IllegalArgumentException("--" + name + " must be >= " + min + ", got " + value);
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + value + "'");
            }
        }
    }
}
