package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.PipelineLog;
import com.relaybox.presence.adapter.rabbitmq.internal.PipelinedConsumer;
import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.pipeline.BatchPipeline;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Consumes one shard queue on a channel of its own and applies its jobs, in order, through a
 * {@link BatchPipeline}: batches of what has arrived are applied with {@link ProcessJobs#applyBatch},
 * their rejected jobs dead-lettered, and acknowledged in order, each run of confirmed batches with
 * one {@code basic.ack(lastTag, multiple)}. So a shard's throughput and latency do not hinge on one
 * confirm round trip per batch. At most {@link #MAX_BATCHES_SENDING} batches await the confirmation
 * of their broadcasts; past that the worker waits for the oldest, so under load the jobs arriving
 * meanwhile make bigger batches. History (a quorum-queue commit, gathered over a linger) is slower to
 * confirm and nobody waits for it: up to {@link #MAX_BATCHES_UNACKNOWLEDGED} batches await it, and
 * it delays their acknowledgement, never the next batch's broadcasts.
 *
 * <p>A batch is confirmed once its broadcasts, its history records and its dead letters are. A
 * store failure retries the batch as redeliveries; a failed confirmation retries that batch and
 * every later one in flight (see {@link BatchPipeline}). A job core rejects for corrupt state is
 * dead-lettered like any other rejected job.
 *
 * <p>The pipeline's fence is the channel: once it is gone the broker has handed the queue (and the
 * batch's jobs) to another instance, so the batch's broadcasts and dead letters fail instead of going
 * out here too, and it is left unacknowledged for that instance to apply, in order. The batch carries
 * it as a {@link ShardFence}, which the broadcaster publishes through (see there for why that is
 * exact). Its store writes carry the queue's fencing token, taken when the epoch's first batch
 * starts (see {@link #takeFencingToken}), so the one batch a frozen instance was applying when the
 * queue moved on changes nothing when it wakes.
 */
final class ShardWorker implements BatchPipeline.Transport<JobDelivery, ShardWorker.Applied> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardWorker.class);
    static final String DELIVERY_COUNT_HEADER = "x-delivery-count";
    static final int MAX_BATCHES_SENDING = 4;
    static final int MAX_BATCHES_UNACKNOWLEDGED = 64;

    private final int shard;
    private final String queue;
    private final RabbitSettings settings;
    private final ProcessJobs jobs;
    private final ConfirmedPublisher deadLetters;
    private final ConfirmedPublisher broadcasts;
    private final JobConsumerObserver observer;
    private final BatchPipeline<JobDelivery, Applied> pipeline;
    private final PipelinedConsumer<JobDelivery> consumer;
    /** The queue as a fenced resource, named once connected; see {@link #fencedResource}. */
    private volatile String fencedResource;

    /** What applying a batch found: the jobs as applied (redeliveries on a retry) and their outcomes. */
    record Applied(List<RawJob> jobs, List<Outcome> outcomes) {
    }

    ShardWorker(int shard, RabbitSettings settings, ProcessJobs jobs, ConfirmedPublisher deadLetters,
                ConfirmedPublisher broadcasts, JobConsumerObserver observer) {
        this.shard = shard;
        this.queue = Topology.shardQueue(shard);
        this.settings = settings;
        this.jobs = jobs;
        this.deadLetters = deadLetters;
        this.broadcasts = broadcasts;
        this.observer = observer;
        BatchPipeline.Settings batches = new BatchPipeline.Settings(settings.batchSize(), settings.batchMaxWait(),
                MAX_BATCHES_SENDING, MAX_BATCHES_UNACKNOWLEDGED, settings.retryBackoffMin(), settings.retryBackoffMax(), 0, settings.confirmTimeout());
        this.pipeline = new BatchPipeline<>(queue, batches, this, new Log(), delivery -> 1);
        this.consumer = new PipelinedConsumer<>(queue, (envelope, properties, body) -> new JobDelivery(
                envelope.getDeliveryTag(), envelope.getRoutingKey(), properties, body, envelope.isRedeliver()), pipeline);
    }

    /**
     * Opens the channel and subscribes (manual acknowledgement, prefetch), then starts the worker
     * thread: jobs waiting in the queue are buffered by then and make one batch.
     */
    void start(Connection connection) throws IOException {
        fencedResource = fencedResource(connection, settings.endpoint().virtualHost(), queue);
        consumer.start(connection, settings.prefetch(), "presence-" + queue + "-" + Long.toHexString(System.nanoTime()));
        pipeline.start();
    }

    /** Subscribed (active or, under single active consumer, standing by) on an open channel, worker alive. */
    boolean isRunning() {
        return consumer.isConsuming() && pipeline.isRunning();
    }

    /** Wakes the worker so that it sees the close; it finishes the batch in hand first. */
    void stop() {
        pipeline.stop();
    }

    boolean awaitStopped(long millis) throws InterruptedException {
        return pipeline.awaitStopped(Duration.ofMillis(millis));
    }

    /**
     * Closes the channel: the deliveries still buffered, never applied, go back to the queue, and
     * with them the queue passes to the next single active consumer (see RabbitJobConsumer#close).
     */
    void closeChannel() {
        consumer.close();
    }

    /**
     * A shard queue as a fenced resource, as one RabbitMQ cluster names it: its cluster's name, its
     * virtual host and its own name, so that deployments sharing one Redis (a test's own vhost, a
     * cluster of its own) never fence each other.
     */
    static String fencedResource(Connection connection, String virtualHost, String queue) {
        Object cluster = connection.getServerProperties().get("cluster_name");
        return "rabbitmq:" + (cluster == null ? "" : cluster) + ":" + URLEncoder.encode(virtualHost, StandardCharsets.UTF_8)
                + ":" + queue;
    }

    @Override
    public boolean holds(long epoch) {
        return consumer.holds(epoch);
    }

    /**
     * Takes the queue's token between two round trips on the epoch's channel, each of which the
     * broker answers only while this consumer is the queue's active one: the first, so that an
     * instance that lost the queue unnoticed does not take a token (it would refuse the new owner's
     * next batch for nothing); the second, so that any owner after this one takes its token later.
     */
    @Override
    public Optional<FencingToken> takeFencingToken(long epoch) {
        if (!consumer.confirmHolds(epoch)) throw notTheActiveConsumer();
        FencingToken token = jobs.takeFencingToken(fencedResource);
        if (!consumer.confirmHolds(epoch)) throw notTheActiveConsumer();
        return Optional.of(token);
    }

    private FencedOutException notTheActiveConsumer() {
        return new FencedOutException("the broker no longer has this instance's channel on " + queue
                + ": another consumer has the queue");
    }

    @Override
    public BatchPipeline.Started<Applied> start(BatchPipeline.Batch<JobDelivery> batch) {
        List<RawJob> raws = new ArrayList<>(batch.items().size());
        for (JobDelivery delivery : batch.items()) raws.add(batch.retry() ? delivery.raw().asRedelivery() : delivery.raw());
        ShardFence fence = new ShardFence(batch.fence(), broadcasts, deadLetters);
        ProcessJobs.AppliedBatch applied = jobs.applyBatch(raws, fence);
        CompletableFuture<Void> deadLettered = deadLetterRejected(batch.items(), applied.outcomes(), fence);
        return new BatchPipeline.Started<>(new Applied(raws, applied.outcomes()), applied.broadcast(),
                CompletableFuture.allOf(applied.confirmed(), deadLettered));
    }

    /** Publishes the batch's rejected jobs to the dead-letter exchange, fenced; the future is their confirmation. */
    private static CompletableFuture<Void> deadLetterRejected(List<JobDelivery> batch, List<Outcome> outcomes,
                                                               ShardFence fence) {
        List<ConfirmedPublisher.Message> rejected = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++)
            if (outcomes.get(i) instanceof Outcome.Rejected rejection)
                rejected.add(deadLetter(batch.get(i), rejection.why()));
        return fence.deadLetter(rejected);
    }

    /** The original message, unchanged but for the reason header, to {@code ds.presence.dlx} → {@code presence-dlq}. */
    private static ConfirmedPublisher.Message deadLetter(JobDelivery delivery, String reason) {
        AMQP.BasicProperties original = delivery.properties();
        Map<String, Object> headers = original.getHeaders() == null ? new HashMap<>() : new HashMap<>(original.getHeaders());
        headers.remove(DELIVERY_COUNT_HEADER);      // the broker's, not the producer's
        headers.put(Topology.ERROR_HEADER, reason);
        return new ConfirmedPublisher.Message(Topology.DEAD_LETTER_EXCHANGE, delivery.routingKey(), true,
                original.builder().headers(headers).build(), delivery.body());
    }

    /**
     * One {@code basic.ack(multiple)} up to the last job of the last batch; once it is sent, the
     * jobs' memory shrinks to the duplicate window (see {@link #forgetSoon}); then tells the observer.
     */
    @Override
    public void acknowledge(List<BatchPipeline.Done<JobDelivery, Applied>> done) {
        int count = 0;
        for (BatchPipeline.Done<JobDelivery, Applied> batch : done) count += batch.batch().items().size();
        if (consumer.acknowledgeUpTo(done.get(done.size() - 1).batch().last().tag(), count)) forgetSoon(done);
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        try {
            for (BatchPipeline.Done<JobDelivery, Applied> batch : done) {
                observer.batchProcessed(shard, batch.result().jobs(), batch.result().outcomes(),
                        nanos - batch.batch().takenNanos());
                for (JobDelivery delivery : batch.batch().items()) {
                    long publishedAt = delivery.publishedAtMillis();
                    if (publishedAt > 0) observer.jobLatency(shard, Math.max(0, now - publishedAt));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("event=observer_failed queue={} error={}", queue, Logfmt.quote(String.valueOf(e)));
        }
    }

    /**
     * The broker has these jobs' acknowledgement, or will have it unless the connection dies first
     * ({@code basic.ack} is not confirmed): then it redelivers them as soon as it sees the channel
     * gone, to the next consumer, which finds them inside the duplicate window unless no instance
     * consumed the queue for longer than that (see the README's "Job memory").
     */
    private void forgetSoon(List<BatchPipeline.Done<JobDelivery, Applied>> done) {
        List<RawJob> acknowledged = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (BatchPipeline.Done<JobDelivery, Applied> batch : done) {
            acknowledged.addAll(batch.result().jobs());
            outcomes.addAll(batch.result().outcomes());
        }
        jobs.jobsAcknowledged(acknowledged, outcomes);
    }

    /** The pipeline's events as log lines, and its retries to the observer. */
    private final class Log extends PipelineLog {
        Log() {
            super(LOG, queue);
        }

        @Override
        public void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
            super.retrying(cause, attempt, items, backoff);
            try {
                observer.retrying(shard, cause, backoff.toMillis());
            } catch (RuntimeException e) {
                LOG.warn("event=observer_failed queue={} error={}", queue, Logfmt.quote(String.valueOf(e)));
            }
        }
    }
}
