package com.relaybox.presence.app.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How jobs are applied, in either mode.
 *
 * @param maxDataBytes        {@code PRESENCE_MAX_DATA_BYTES}: the largest {@code message.data} accepted
 * @param disconnectTombstone {@code PRESENCE_DISCONNECT_TOMBSTONE_S}: late joins/updates ignored this long after a disconnect
 * @param jobIdMemory         {@code PRESENCE_JOB_MEMORY_S}: how long a job id is remembered for idempotency
 */
public record JobConfig(int maxDataBytes, Duration disconnectTombstone, Duration jobIdMemory) {
    public JobConfig {
        Objects.requireNonNull(disconnectTombstone, "disconnectTombstone");
        Objects.requireNonNull(jobIdMemory, "jobIdMemory");
    }
}
