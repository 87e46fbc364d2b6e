package com.relaybox.presence.bench;

import java.util.List;

/** Where the generator's jobs go: the way a producer of RelayBox's enqueues them, into one of the service's intakes. */
interface JobSink extends AutoCloseable {
    /** Enqueues the batch, in order after the ones before, and returns without waiting for it to be accepted. */
    void publish(List<BenchJob> jobs);

    /** Waits until every job enqueued so far is accepted (confirmed by the broker, stored in Redis); throws when one was not. */
    void awaitConfirms();

    @Override
    void close();
}
