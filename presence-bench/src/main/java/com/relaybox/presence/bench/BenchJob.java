package com.relaybox.presence.bench;

import com.relaybox.presence.core.domain.JobType;

/** One generated job: {@code seq} travels in its {@code message.data}, so its broadcast can be matched. */
record BenchJob(long seq, JobType type, int connection, int room, boolean expectsBroadcast) {
}
