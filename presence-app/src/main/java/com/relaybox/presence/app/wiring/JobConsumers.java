package com.relaybox.presence.app.wiring;

import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.adapter.rabbitmq.RabbitJobConsumer;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.Logging;
import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.metrics.ConsumerMetrics;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shard queue consumers as one part of the lifecycle: started after the connections, stopped
 * right after HTTP intake (each worker finishes and acknowledges its batch, then its channel
 * closes). Polls the queue depths for the consumer lag gauges.
 */
final class JobConsumers implements Managed {
    private static final Logger log = LoggerFactory.getLogger(JobConsumers.class);
    private static final long POLL_SECONDS = 5;
    private static final long UNKNOWN = -1;

    private final RabbitSettings settings;
    private final ProcessJobs jobs;
    private final ConsumerMetrics metrics;
    private final AtomicLong[] ready;
    private final AtomicLong[] consumers;
    private final AtomicLong deadLettered = new AtomicLong(UNKNOWN);
    private volatile RabbitJobConsumer consumer;
    private ScheduledExecutorService poller;

    JobConsumers(RabbitSettings settings, ProcessJobs jobs, MeterRegistry registry) {
        this.settings = settings;
        this.jobs = jobs;
        this.metrics = new ConsumerMetrics(registry, settings.queueCount());
        ready = new AtomicLong[settings.queueCount()];
        consumers = new AtomicLong[settings.queueCount()];
        for (int shard = 0; shard < ready.length; shard++) {
            AtomicLong depth = ready[shard] = new AtomicLong(UNKNOWN);
            Gauge.builder("presence.consumer.lag", depth, JobConsumers::known)
                    .description("Jobs ready in a shard queue, waiting for the consumer")
                    .tag("shard", Integer.toString(shard)).baseUnit("messages").register(registry);
            // The broker's count, every instance's consumers: 0 means nobody applies this shard's jobs.
            Gauge.builder("presence.queue.consumers", consumers[shard] = new AtomicLong(UNKNOWN), JobConsumers::known)
                    .description("Consumers the broker has on a shard queue, of every instance (active or standing by)")
                    .tag("shard", Integer.toString(shard)).register(registry);
        }
        Gauge.builder("presence.dead_letters", deadLettered, JobConsumers::known)
                .description("Jobs in presence-dlq, rejected and waiting for an operator")
                .baseUnit("messages").register(registry);
    }

    private static double known(AtomicLong value) {
        long v = value.get();
        return v == UNKNOWN ? Double.NaN : v;
    }

    @Override
    public String name() {
        return "consumers";
    }

    @Override
    public Phase phase() {
        return Phase.WORKERS;
    }

    @Override
    public void start() {
        consumer = RabbitJobConsumer.consume(settings, jobs, metrics);
        poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "queue-depths");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(this::pollDepths, 0, POLL_SECONDS, TimeUnit.SECONDS);
        log.info("event=consumers_up queues={} queue_type={} batch_size={} prefetch={}", settings.queueCount(),
                settings.queueType().argument(), settings.batchSize(), settings.prefetch());
    }

    private void pollDepths() {
        try {
            List<RabbitJobConsumer.QueueDepth> depths = consumer.queueDepths();
            for (int shard = 0; shard < depths.size(); shard++) {
                ready[shard].set(depths.get(shard).messages());
                consumers[shard].set(depths.get(shard).consumers());
            }
            deadLettered.set(consumer.deadLetterDepth().messages());
        } catch (DependencyUnavailableException e) {
            for (AtomicLong depth : ready) depth.set(UNKNOWN);
            for (AtomicLong count : consumers) count.set(UNKNOWN);
            deadLettered.set(UNKNOWN);
        } catch (RuntimeException e) {
            log.warn("event=queue_depth_failed error={}", Logfmt.quote(String.valueOf(e)));
        }
    }

    @Override
    public void stop() {
        if (poller != null) poller.shutdownNow();
        if (consumer != null) consumer.close();
    }

    Health running() {
        RabbitJobConsumer current = consumer;
        if (current == null) return Health.down("not started");
        return current.isRunning()
                ? Health.up("consuming presence-0..presence-" + (settings.queueCount() - 1))
                : Health.down("not consuming every shard queue (connection recovering or consumer cancelled)");
    }

    Health broker() {
        RabbitJobConsumer current = consumer;
        if (current == null) return Health.down("not connected");
        try {
            long jobs = 0;
            for (RabbitJobConsumer.QueueDepth depth : current.queueDepths()) jobs += depth.messages();
            return Health.up(settings.endpoint() + ": " + jobs + " jobs ready, "
                    + current.deadLetterDepth().messages() + " dead-lettered");
        } catch (DependencyUnavailableException e) {
            return Health.down(String.valueOf(e.getMessage()));
        }
    }
}
