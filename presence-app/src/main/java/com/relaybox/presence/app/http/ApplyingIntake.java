package com.relaybox.presence.app.http;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.port.in.ProcessJobs;

import java.util.Objects;

/**
 * Embedded mode: applies each job at once. One job at a time, so a room's broadcasts leave in
 * the order its jobs were applied, as a shard queue's single consumer would ensure.
 */
public final class ApplyingIntake implements JobIntake {
    private final ProcessJobs jobs;

    public ApplyingIntake(ProcessJobs jobs) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
    }

    @Override
    public synchronized Submission submit(RawJob job) {
        Outcome outcome = jobs.process(job);
        if (outcome instanceof Outcome.Applied) return Submission.applied();
        if (outcome instanceof Outcome.Ignored ignored) return Submission.ignored(ignored.why());
        return Submission.rejected(((Outcome.Rejected) outcome).why());
    }
}
