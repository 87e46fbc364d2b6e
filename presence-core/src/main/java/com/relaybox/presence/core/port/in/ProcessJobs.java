package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;

import java.util.List;

/**
 * The one entry point of every transport: raw jobs in, what happened out. Every check of
 * CONTRACT §6 is made here.
 */
public interface ProcessJobs {

    Outcome process(RawJob job);

    /**
     * Applies a batch in one go, in order (one store round trip, one broadcast flush); one
     * outcome per job, in order. Throws
     * {@link com.relaybox.presence.core.port.out.DependencyUnavailableException} when a dependency
     * fails: then retry the whole batch as redeliveries ({@link RawJob#asRedelivery()}).
     */
    List<Outcome> processBatch(List<RawJob> jobs);
}
