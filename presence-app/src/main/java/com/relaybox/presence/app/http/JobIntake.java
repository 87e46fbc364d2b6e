package com.relaybox.presence.app.http;

import com.relaybox.presence.core.domain.RawJob;

/**
 * Where {@code POST /v1/jobs} hands a job: applied on the spot (embedded mode) or published to its
 * shard queue (services mode). Throws
 * {@link com.relaybox.presence.core.port.out.DependencyUnavailableException} when the job cannot
 * be taken now; nothing was done with it then.
 */
public interface JobIntake {

    Submission submit(RawJob job);
}
