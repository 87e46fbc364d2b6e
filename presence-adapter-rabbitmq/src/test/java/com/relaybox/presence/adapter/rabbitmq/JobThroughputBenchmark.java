package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.json.JobParser;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.memory.InMemoryPresenceStore;
import com.relaybox.presence.testkit.Poll;
import com.relaybox.presence.testkit.RabbitVhost;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * End-to-end throughput of this adapter with core's in-memory store and history: jobs published
 * with {@link PresenceJobPublisher} (batches of 500, confirms once per batch), consumed, applied,
 * broadcast (confirmed) to {@code ds.rooms.durable}, where a subscriber bound with {@code #}
 * counts them; measured from the first publish to the last broadcast received. Runs in a virtual
 * host of its own. Not a test: run it by hand (see the README).
 *
 * <p>Arguments: {@code [jobs=50000] [batchSize=200] [prefetch=400] [queueType=quorum] [rooms=1000]}.
 */
public final class JobThroughputBenchmark {
    private JobThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("baseline")) {
            baseline(args.length > 1 ? Integer.parseInt(args[1]) : 50_000, args.length > 2 ? QueueType.parse(args[2]) : QueueType.QUORUM);
            return;
        }
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : RabbitSettings.DEFAULT_BATCH_SIZE;
        int prefetch = args.length > 2 ? Integer.parseInt(args[2]) : RabbitSettings.DEFAULT_PREFETCH;
        QueueType queueType = args.length > 3 ? QueueType.parse(args[3]) : QueueType.QUORUM;
        int rooms = args.length > 4 ? Integer.parseInt(args[4]) : 1000;

        try (RabbitVhost broker = RabbitVhost.named("benchmark").create()) {
            RabbitSettings settings = TestSettings.of(broker).withQueueType(queueType)
                    .withBatching(batchSize, prefetch, RabbitSettings.DEFAULT_BATCH_MAX_WAIT);
            System.out.printf("settings: %s queues x %d, batch %d, prefetch %d, batch wait %d ms, %d rooms%n",
                    queueType.argument(), settings.queueCount(), batchSize, prefetch, settings.batchMaxWait().toMillis(), rooms);
            LatencyObserver observer = new LatencyObserver();
            InMemoryPresenceStore store = new InMemoryPresenceStore();
            InMemoryHistory history = new InMemoryHistory();
            try (Counter counter = new Counter(broker); PresenceJobPublisher publisher = new PresenceJobPublisher(settings)) {
                // 0. Warm-up of the JIT (not measured): 10,000 jobs through a first instance.
                try (PresenceService warmUp = new PresenceService(settings, store, history, JobParser.DEFAULT_MAX_DATA_BYTES,
                        JobConsumerObserver.NONE)) {
                    publish(publisher, jobs(10_000, rooms, "w"));
                    Poll.until(Duration.ofMinutes(5), () -> counter.count.get() >= 10_000);
                }
                // 1. A backlog: everything published first, then the service started; the consumer's pace alone.
                List<PresenceJobPublisher.Job> backlog = jobs(jobs, rooms, "b");
                long warmedUp = counter.count.get();
                long publishStart = System.nanoTime();
                publish(publisher, backlog);
                double publishSeconds = (System.nanoTime() - publishStart) / 1e9;
                System.out.printf("publishing alone: %d jobs in %.2f s = %.0f jobs/s%n", jobs, publishSeconds, jobs / publishSeconds);
                try (PresenceService service = new PresenceService(settings, store, history, JobParser.DEFAULT_MAX_DATA_BYTES,
                        observer)) {
                    long start = System.nanoTime();
                    report("backlog drained", counter, observer, jobs, warmedUp, start);
                    // 2. Publishing and consuming at once, from the first publish to the last broadcast.
                    List<PresenceJobPublisher.Job> stream = jobs(jobs, rooms, "s");
                    long before = counter.count.get();
                    observer.reset();
                    start = System.nanoTime();
                    publish(publisher, stream);
                    report("end to end", counter, observer, jobs, before, start);
                }
            }
        }
    }

    private static List<PresenceJobPublisher.Job> jobs(int count, int rooms, String prefix) {
        List<PresenceJobPublisher.Job> all = new ArrayList<>(count);
        String[] events = {"join", "update", "leave"};
        JobType[] types = {JobType.JOIN, JobType.UPDATE, JobType.LEAVE};
        for (int i = 0; i < count; i++) {
            int room = i % rooms;
            int step = (i / rooms) % 3;
            all.add(PresenceJobPublisher.Job.of(types[step], JobBodies.room("bench", prefix + "room-" + room,
                    "c" + room, events[step], JobBodies.seq(i))));
        }
        return all;
    }

    private static void publish(PresenceJobPublisher publisher, List<PresenceJobPublisher.Job> jobs) {
        for (int from = 0; from < jobs.size(); from += 500) publisher.publishAll(jobs.subList(from, Math.min(jobs.size(), from + 500)));
    }

    private static void report(String name, Counter counter, LatencyObserver observer, int count, long before, long start) {
        boolean done = Poll.until(Duration.ofMinutes(5), () -> counter.count.get() - before >= count);
        double seconds = (counter.lastAt.get() - start) / 1e9;
        System.out.printf("%s: %d jobs in %.2f s = %.0f jobs/s%s; %d batches (mean %.1f jobs); publish-to-ack p50 %d ms,"
                        + " p99 %d ms%n", name, count, seconds, count / seconds, done ? "" : " INCOMPLETE",
                observer.batches.get(), observer.jobs.get() / (double) Math.max(1, observer.batches.get()),
                observer.percentile(0.50), observer.percentile(0.99));
    }

    /**
     * The broker alone, for comparison on the same machine at the same time: persistent messages
     * of the same size published in batches of 500 with confirms, to one queue, consumed with
     * prefetch 400 and a multiple ack every 200.
     */
    private static void baseline(int count, QueueType queueType) throws Exception {
        byte[] body = JobBodies.room("bench", "room-1", "c1", "join", JobBodies.seq(1)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (RabbitVhost broker = RabbitVhost.named("baseline").create(); Connection publishing = broker.connection();
             Connection consuming = broker.connection()) {
            Channel publisher = publishing.createChannel();
            publisher.queueDeclare("baseline", true, false, false, java.util.Map.of("x-queue-type", queueType.argument()));
            publisher.confirmSelect();
            Channel consumer = consuming.createChannel();
            consumer.basicQos(400);
            AtomicLong received = new AtomicLong();
            AtomicLong lastAt = new AtomicLong();
            consumer.basicConsume("baseline", false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] bytes)
                        throws IOException {
                    long n = received.incrementAndGet();
                    if (n % 200 == 0 || n == count) getChannel().basicAck(envelope.getDeliveryTag(), true);
                    lastAt.set(System.nanoTime());
                }
            });
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                publisher.basicPublish("", "baseline", properties, body);
                if (i % 500 == 499 || i == count - 1) publisher.waitForConfirmsOrDie(30_000);
            }
            Poll.until(Duration.ofMinutes(5), () -> received.get() >= count);
            double seconds = (lastAt.get() - start) / 1e9;
            System.out.printf("broker alone (%s): %d persistent messages of %d bytes in %.2f s = %.0f msgs/s%n",
                    queueType.argument(), count, body.length, seconds, count / seconds);
        }
    }

    /** Counts the broadcasts of every room, as a realtime subscriber bound with {@code #} would receive them. */
    private static final class Counter implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        final AtomicLong lastAt = new AtomicLong();
        final Connection connection;

        Counter(RabbitVhost broker) throws IOException {
            connection = broker.connection();
            Channel channel = connection.createChannel();
            channel.exchangeDeclare(Topology.BROADCAST_EXCHANGE, "topic", true);
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.BROADCAST_EXCHANGE, "#");
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    lastAt.set(System.nanoTime());
                    count.incrementAndGet();
                }
            });
        }

        @Override
        public void close() throws IOException {
            connection.close();
        }
    }

    /** Publish-to-acknowledgement latencies in a 1 ms histogram up to 60 s. */
    private static final class LatencyObserver implements JobConsumerObserver {
        final AtomicLongArray histogram = new AtomicLongArray(60_001);
        final AtomicLong jobs = new AtomicLong();
        final AtomicLong batches = new AtomicLong();

        @Override
        public void batchProcessed(int shard, List<com.relaybox.presence.core.domain.RawJob> batch,
                                   List<com.relaybox.presence.core.domain.Outcome> outcomes, long processingNanos) {
            jobs.addAndGet(batch.size());
            batches.incrementAndGet();
        }

        @Override
        public void jobLatency(int shard, long millis) {
            histogram.incrementAndGet((int) Math.min(60_000, millis));
        }

        void reset() {
            for (int i = 0; i < histogram.length(); i++) histogram.set(i, 0);
            jobs.set(0);
            batches.set(0);
        }

        long percentile(double p) {
            long[] counts = new long[histogram.length()];
            for (int i = 0; i < counts.length; i++) counts[i] = histogram.get(i);
            long total = Arrays.stream(counts).sum();
            long wanted = (long) Math.ceil(p * total);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= wanted && seen > 0) return i;
            }
            return -1;
        }
    }
}
