package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.relaybox.presence.adapter.rabbitmq.internal.ConfirmedPublisher;
import com.relaybox.presence.adapter.rabbitmq.internal.HeldMessages;
import com.relaybox.presence.adapter.rabbitmq.internal.RabbitConnections;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The jobs waiting in {@code presence-dlq}, for an operator: read them with their reasons, and,
 * once the cause is fixed, put them back on their shard queues.
 *
 * <p>A letter keeps the routing key its job was published with, the shard (CONTRACT §2), and that
 * is where it goes back; when the routing key is not a shard of this deployment the shard is
 * computed from the body as a producer computes it (CONTRACT §1), and a letter whose body says
 * none stays where it is. It goes back with the properties it was published with: only the
 * {@code x-presence-error} this service added and the broker's {@code x-delivery-count} are
 * taken off.
 *
 * <p>Nothing is lost whenever this stops: each letter is taken without being removed, published
 * to its shard queue, and removed from {@code presence-dlq} only once the broker confirmed that
 * publish. Stopped between the two, the letter is in both queues; the service applies a job id
 * once, so the copy changes nothing. Reads of the queue with {@link #list} give every letter back.
 *
 * <p>One connection, without automatic recovery: the first failure ends the replay.
 */
public final class DeadLetters implements AutoCloseable {
    private static final Duration GIVE_BACK_WAIT = Duration.ofSeconds(5);
    private final RabbitSettings settings;
    private final Connection connection;
    private final ConfirmedPublisher publisher;

    /**
     * One dead letter.
     *
     * @param jobId  its {@code message_id}, empty when it has none
     * @param type   its {@code type} property, empty when it has none
     * @param shard  the shard queue it goes back to; empty when neither its routing key nor its body tells
     * @param reason why it was dead-lettered: {@code x-presence-error}, or the broker's {@code x-death}
     */
    public record Letter(String jobId, String type, OptionalInt shard, String reason, int bodyBytes) {
        public Letter {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(shard, "shard");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * What a replay did.
     *
     * @param replayed on their shard queues now, removed from {@code presence-dlq}
     * @param kept     left in {@code presence-dlq}: no shard to send them to
     * @param failure  why the replay stopped early; every letter not replayed is still in {@code presence-dlq}
     */
    public record Replay(List<Letter> replayed, List<Letter> kept, Optional<String> failure) {
    }

    /** Told of each letter once it is on its shard queue and gone from {@code presence-dlq}. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = letter -> { };

        void replayed(Letter letter);
    }

    private DeadLetters(RabbitSettings settings, Connection connection) {
        this.settings = settings;
        this.connection = connection;
        this.publisher = new ConfirmedPublisher(connection, settings.confirmTimeout(), "replayed dead letter");
    }

    /**
     * Connects. Declares nothing: a broker without {@code presence-dlq} has no dead letters to read.
     *
     * @throws DependencyUnavailableException when the broker cannot be reached or refuses us
     */
    public static DeadLetters open(RabbitSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return new DeadLetters(settings, RabbitConnections.openWithoutRecovery(settings, "dlq"));
    }

    /** The letters ready in {@code presence-dlq}. */
    public long depth() {
        try (HeldMessages queue = new HeldMessages(connection, Topology.DEAD_LETTER_QUEUE)) {
            return queue.ready();
        }
    }

    /**
     * The first {@code limit} letters, oldest first, each with the shard it would go back to. The
     * queue is left as it was: every letter read goes back to its place when this returns (as a
     * redelivery: RabbitMQ counts it as delivered once more).
     */
    public List<Letter> list(int limit) {
        requirePositive(limit);
        long readyBefore;
        List<Letter> letters = new ArrayList<>();
        try (HeldMessages queue = new HeldMessages(connection, Topology.DEAD_LETTER_QUEUE)) {
            readyBefore = queue.ready();
            long bound = Math.min(limit, readyBefore);
            for (Optional<HeldMessages.Held> held; letters.size() < bound && (held = queue.next()).isPresent(); )
                letters.add(letter(held.get()));
        }
        awaitReady(readyBefore);
        return letters;
    }

    /**
     * The broker makes letters given back ready again a moment after their channel closed: waits
     * (bounded) until they are, so that the next look at the queue sees it as it was.
     */
    private void awaitReady(long ready) {
        long deadline = System.nanoTime() + GIVE_BACK_WAIT.toNanos();
        try {
            while (depth() < ready && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Puts back the first {@code limit} letters (at most those ready when it starts, so that a job
     * dead-lettered again meanwhile is not replayed twice in one run), oldest first, each on its
     * shard queue, confirmed, before removing it from {@code presence-dlq}. Stops at the first
     * failure and says so in the result; it never throws for one once connected.
     */
    public Replay replay(int limit, Progress progress) {
        requirePositive(limit);
        Objects.requireNonNull(progress, "progress");
        List<Letter> replayed = new ArrayList<>();
        List<Letter> kept = new ArrayList<>();
        try (HeldMessages queue = new HeldMessages(connection, Topology.DEAD_LETTER_QUEUE)) {
            long bound = Math.min(limit, queue.ready());
            for (Optional<HeldMessages.Held> next; replayed.size() + kept.size() < bound && (next = queue.next()).isPresent(); ) {
                HeldMessages.Held held = next.get();
                Letter letter = letter(held);
                if (letter.shard().isEmpty()) {
                    kept.add(letter);     // held until the channel closes, then back in its place
                    continue;
                }
                publisher.publish(List.of(new ConfirmedPublisher.Message(Topology.JOB_EXCHANGE,
                        Integer.toString(letter.shard().getAsInt()), true, original(held.properties()), held.body())));
                queue.remove(held);
                replayed.add(letter);
                progress.replayed(letter);
            }
        } catch (DependencyUnavailableException e) {
            return new Replay(replayed, kept, Optional.of(String.valueOf(e.getMessage())));
        }
        return new Replay(replayed, kept, Optional.empty());
    }

    private static void requirePositive(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }

    private Letter letter(HeldMessages.Held held) {
        AMQP.BasicProperties properties = held.properties();
        String type = properties.getType() == null ? "" : properties.getType();
        return new Letter(properties.getMessageId() == null ? "" : properties.getMessageId(), type,
                shard(held.routingKey(), type, held.body()), reason(properties.getHeaders()), held.body().length);
    }

    /** The routing key it was published with when that is a shard here, else the shard its body names. */
    private OptionalInt shard(String routingKey, String type, byte[] body) {
        if (routingKey.matches("\\d{1,4}")) {
            int shard = Integer.parseInt(routingKey);
            if (shard < settings.queueCount()) return OptionalInt.of(shard);
        }
        Optional<JobType> jobType = JobType.fromWire(type);
        if (jobType.isEmpty()) return OptionalInt.empty();
        try {
            return OptionalInt.of(PresenceJobPublisher.shardOf(new PresenceJobPublisher.Job(jobType.get(), body, "dead letter"),
                    settings.queueCount()));
        } catch (IllegalArgumentException unroutable) {
            return OptionalInt.empty();
        }
    }

    private static String reason(Map<String, Object> headers) {
        if (headers == null) return "no reason given";
        Object error = headers.get(Topology.ERROR_HEADER);
        if (error != null) return error.toString();
        if (headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty() && deaths.get(0) instanceof Map<?, ?> death)
            return "dead-lettered by RabbitMQ: " + death.get("reason") + " in " + death.get("queue");
        return "no reason given";
    }

    /** The properties it was published with: without what this service and the broker added since. */
    private static AMQP.BasicProperties original(AMQP.BasicProperties properties) {
        if (properties.getHeaders() == null) return properties;
        Map<String, Object> headers = new HashMap<>(properties.getHeaders());
        headers.remove(Topology.ERROR_HEADER);
        headers.remove(ShardWorker.DELIVERY_COUNT_HEADER);
        return properties.builder().headers(headers.isEmpty() ? null : headers).build();
    }

    @Override
    public void close() {
        publisher.close();
        RabbitConnections.closeQuietly(connection, 5_000);
    }
}
