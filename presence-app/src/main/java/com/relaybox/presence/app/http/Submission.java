package com.relaybox.presence.app.http;

import java.util.Objects;
import java.util.Optional;

/** What became of a job handed to {@link JobIntake}. */
public record Submission(Status status, Optional<String> reason) {

    public enum Status {
        /** Applied: state changed and the events went out. */
        APPLIED,
        /** Valid, but changed nothing (a duplicate, a leave of a non-member, ...). */
        IGNORED,
        /** Valid and published to its shard queue; a consumer applies it. */
        QUEUED,
        /** Cannot be applied as it is (CONTRACT §6); {@link #reason} says why. */
        REJECTED
    }

    public Submission {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        if (reason.isEmpty() && (status == Status.REJECTED || status == Status.IGNORED))
            throw new IllegalArgumentException(status + " needs a reason");
    }

    public static Submission applied() {
        return new Submission(Status.APPLIED, Optional.empty());
    }

    public static Submission queued() {
        return new Submission(Status.QUEUED, Optional.empty());
    }

    public static Submission ignored(String why) {
        return new Submission(Status.IGNORED, Optional.of(why));
    }

    public static Submission rejected(String why) {
        return new Submission(Status.REJECTED, Optional.of(why));
    }
}
