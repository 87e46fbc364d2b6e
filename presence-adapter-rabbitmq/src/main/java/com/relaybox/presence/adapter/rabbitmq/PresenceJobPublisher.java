package com.relaybox.presence.adapter.rabbitmq;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Enqueues presence jobs the way the service expects them (CONTRACT §2), for RelayBox services
 * that embed this module, and for tests and benchmarks: to {@code ds.presence.durable} with the
 * routing key of the job's shard ({@code shard(roomId)} of {@code nspRoomId}, or
 * {@code shard(session.connectionId)} of a disconnect), persistent, with {@code type},
 * {@code message_id}, {@code content_type application/json}, the AMQP {@code timestamp} (seconds,
 * as AMQP 0-9-1 defines it) and a {@code timestamp_in_ms} header (the publish time in milliseconds,
 * as RabbitMQ's message-timestamp plugin names it). Publishes are mandatory and confirmed:
 * a call returns once the broker holds every job in a queue.
 *
 * <p>It reads the body only to route it; every other check is the service's. It declares the
 * topology at start, so jobs published before the service first starts are kept. Thread-safe.
 */
public final class PresenceJobPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceJobPublisher.class);
    static final String TIMESTAMP_MS_HEADER = "timestamp_in_ms";

    private final int queueCount;
    private final Connection connection;
    private final ConfirmedPublisher publisher;

    /** One job: its type, its UTF-8 JSON body, and its id ({@code message_id}). */
    public record Job(JobType type, byte[] body, String messageId) {
        public Job {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(messageId, "messageId");
            if (messageId.isEmpty()) throw new IllegalArgumentException("messageId must be non-empty");
        }

        /** A job with a fresh UUID as its id. */
        public static Job of(JobType type, String json) {
            return new Job(type, json.getBytes(StandardCharsets.UTF_8), UUID.randomUUID().toString());
        }

        public static Job of(JobType type, String json, String messageId) {
            return new Job(type, json.getBytes(StandardCharsets.UTF_8), messageId);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Job that && type == that.type && messageId.equals(that.messageId)
                    && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, messageId, Arrays.hashCode(body));
        }

        @Override
        public String toString() {
            return "Job[" + type.wireName() + ", " + messageId + ", " + body.length + " bytes]";
        }
    }

    /**
     * Connects and declares the topology of CONTRACT §2.
     *
     * @throws com.relaybox.presence.core.port.out.DependencyUnavailableException when the broker cannot be reached
     * @throws IllegalStateException when a queue or exchange exists with other arguments
     */
    public PresenceJobPublisher(RabbitSettings settings) {
        this.queueCount = settings.queueCount();
        this.connection = RabbitConnections.open(settings, "job-publisher");
        try {
            Topology.declareAll(connection, settings);
        } catch (RuntimeException e) {
            RabbitConnections.closeQuietly(connection, 1_000);
            throw e;
        }
        this.publisher = new ConfirmedPublisher(connection, settings.confirmTimeout(), "presence job");
    }

    /**
     * Publishes one job with a fresh id and waits for its confirm.
     *
     * @return the job's id
     * @throws IllegalArgumentException when the job cannot be routed (not JSON, no nspRoomId, ...)
     * @throws com.relaybox.presence.core.port.out.DependencyUnavailableException when the broker did not take it
     */
    public String publish(JobType type, String json) {
        Job job = Job.of(type, json);
        publishAll(List.of(job));
        return job.messageId();
    }

    /**
     * Publishes the jobs in order, then waits once for all their confirms. Nothing is published
     * when one of them cannot be routed. After a failure any of them may have been published:
     * publishing them again with the same ids is safe (the service applies a job id once).
     *
     * @throws IllegalArgumentException when a job cannot be routed
     * @throws com.relaybox.presence.core.port.out.DependencyUnavailableException when the broker did not take them all
     */
    public void publishAll(List<Job> jobs) {
        publisher.publish(messages(jobs));
    }

    /**
     * Publishes the jobs in order and returns without waiting: the future completes once the broker
     * confirmed all of them, or fails with
     * {@link com.relaybox.presence.core.port.out.DependencyUnavailableException}. What one thread
     * publishes this way reaches the queues in the order of its calls, so a caller can keep many
     * jobs in flight (as the realtime service's connections do) without reordering them.
     *
     * @throws IllegalArgumentException at once, publishing nothing, when a job cannot be routed
     */
    public CompletableFuture<Void> publishAllAsync(List<Job> jobs) {
        return publisher.publishInOrder(messages(jobs));
    }

    private List<ConfirmedPublisher.Message> messages(List<Job> jobs) {
        long now = System.currentTimeMillis();
        List<ConfirmedPublisher.Message> messages = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .type(job.type().wireName())
                    .messageId(job.messageId())
                    .contentType("application/json")
                    .deliveryMode(2)
                    .timestamp(new Date(now))
                    .headers(Map.of(TIMESTAMP_MS_HEADER, now))
                    .build();
            messages.add(new ConfirmedPublisher.Message(Topology.JOB_EXCHANGE, Integer.toString(shardOf(job, queueCount)), true,
                    properties, job.body()));
        }
        return messages;
    }

    /** The shard a job goes to: {@code shard(roomId)} of its nspRoomId, or {@code shard(session.connectionId)}. */
    static int shardOf(Job job, int queueCount) {
        JsonObject body;
        try {
            JsonElement element = JsonParser.parseString(new String(job.body(), StandardCharsets.UTF_8));
            if (!element.isJsonObject()) throw new IllegalArgumentException("job " + job.messageId() + ": body is not a JSON object");
            body = element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("job " + job.messageId() + ": body is not JSON", e);
        }
        if (job.type() == JobType.DISCONNECT) {
            JsonElement session = body.get("session");
            JsonElement connectionId = session != null && session.isJsonObject() ? session.getAsJsonObject().get("connectionId") : null;
            if (!isNonEmptyString(connectionId))
                throw new IllegalArgumentException("job " + job.messageId() + ": a disconnect needs session.connectionId");
            return Shard.of(connectionId.getAsString(), queueCount);
        }
        JsonElement nspRoomId = body.get("nspRoomId");
        if (!isNonEmptyString(nspRoomId))
            throw new IllegalArgumentException("job " + job.messageId() + ": a " + job.type().wireName() + " needs nspRoomId");
        String room = nspRoomId.getAsString();
        int colon = room.indexOf(':');
        if (colon < 0)
            throw new IllegalArgumentException("job " + job.messageId() + ": nspRoomId '" + room + "' is not <appPid>:<roomId>");
        // The shard of the room id part, even an empty one: the service, not the publisher, rejects that.
        return Shard.of(room.substring(colon + 1), queueCount);
    }

    private static boolean isNonEmptyString(JsonElement element) {
        return element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()
                && !element.getAsString().isEmpty();
    }

    @Override
    public void close() {
        publisher.close();
        RabbitConnections.closeQuietly(connection, 5_000);
        LOG.info("event=job_publisher_closed");
    }
}
