package com.relaybox.presence.app.config;

import com.relaybox.presence.core.port.out.JobMemory;
import com.relaybox.presence.core.service.GhostSweeper;

import java.time.Duration;
import java.util.Objects;

/**
 * How jobs are applied, in either mode.
 *
 * @param maxDataBytes        {@code PRESENCE_MAX_DATA_BYTES}: the largest {@code message.data} accepted
 * @param disconnectTombstone {@code PRESENCE_DISCONNECT_TOMBSTONE_S}: late joins/updates ignored this long after a disconnect
 * @param jobMemory           {@code PRESENCE_JOB_MEMORY_S}, {@code PRESENCE_JOB_DUPLICATE_WINDOW_S}: how long a
 *                            job id is remembered for idempotency, until and after its acknowledgement
 * @param ghosts              {@code PRESENCE_LIVENESS_TIMEOUT_S}, {@code PRESENCE_GHOST_SWEEP_INTERVAL_MS},
 *                            {@code PRESENCE_GHOST_SWEEP_BATCH}: how ghosts are found and evicted
 */
public record JobConfig(int maxDataBytes, Duration disconnectTombstone, JobMemory jobMemory, GhostSweeper.Settings ghosts) {
    public JobConfig {
        Objects.requireNonNull(disconnectTombstone, "disconnectTombstone");
        Objects.requireNonNull(jobMemory, "jobMemory");
        Objects.requireNonNull(ghosts, "ghosts");
    }
}
