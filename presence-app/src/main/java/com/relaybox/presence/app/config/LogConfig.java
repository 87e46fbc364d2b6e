package com.relaybox.presence.app.config;

import java.util.Objects;

/**
 * @param level     {@code LOG_LEVEL}: error, warn, info or debug
 * @param localhost {@code LOCALHOST}: true for a short, human-readable line (as RelayBox's
 *                  "easy print"); false for full ISO timestamps, for log collectors
 */
public record LogConfig(String level, boolean localhost) {
    public LogConfig {
        Objects.requireNonNull(level, "level");
    }
}
