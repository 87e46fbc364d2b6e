package com.relaybox.presence.app.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Where services mode takes jobs from ({@code PRESENCE_INTAKES}); both by default. */
public enum Intake {
    /** The shard queues {@code presence-0..N-1} (CONTRACT §2). */
    RABBITMQ,
    /** RelayBox's BullMQ queue in the presence Redis (CONTRACT §7). */
    BULLMQ;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A comma-separated list of intakes, each once, at least one. */
    static Set<Intake> parseAll(String text) {
        Set<Intake> intakes = EnumSet.noneOf(Intake.class);
        for (String part : text.split(",", -1)) {
            String word = part.strip().toLowerCase(Locale.ROOT);
            Intake intake = null;
            for (Intake candidate : values()) if (candidate.wireName().equals(word)) intake = candidate;
            if (intake == null)
                throw new IllegalArgumentException("must be a comma-separated list of rabbitmq and bullmq, got '"
                        + Config.abbreviate(text) + "'");
            if (!intakes.add(intake)) throw new IllegalArgumentException("names " + word + " twice");
        }
        return intakes;
    }
}
