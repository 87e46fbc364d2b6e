package com.relaybox.presence.app.http;

import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.PresenceJob;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;

import java.util.List;
import java.util.Objects;

/**
 * Services mode: checks the job as the consumer will (core's {@link JobParser}), so a job the
 * service would dead-letter is refused here instead, then publishes it to its shard queue and
 * returns once the broker has confirmed it. The consumer applies it in its room's order.
 */
public final class PublishingIntake implements JobIntake {
    private final JobParser parser;
    private final PresenceJobPublisher publisher;

    public PublishingIntake(JobParser parser, PresenceJobPublisher publisher) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
    }

    @Override
    public Submission submit(RawJob raw) {
        PresenceJob job;
        try {
            job = parser.parse(raw);
        } catch (InvalidJobException e) {
            return Submission.rejected(e.getMessage());
        }
        publisher.publishAll(List.of(new PresenceJobPublisher.Job(job.type(), raw.body(), raw.id())));
        return Submission.queued();
    }
}
