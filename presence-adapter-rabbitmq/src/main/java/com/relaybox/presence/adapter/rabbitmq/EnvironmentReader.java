package com.relaybox.presence.adapter.rabbitmq;

import java.util.Map;
import java.util.Optional;

/**
 * Reads this module's settings from an environment map: a blank value counts as unset, values are
 * stripped, and every error names its variable. Ranges are checked by the constructors of the
 * settings records, which name the variable too. Public only so that the other packages of this
 * module can use it; it is not part of the adapter's API.
 */
public final class EnvironmentReader {
    private final Map<String, String> environment;

    public EnvironmentReader(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public Optional<String> optional(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** @throws IllegalArgumentException {@code <name> is required} when unset */
    public String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalArgumentException(name + " is required"));
    }

    public String string(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    /** @throws IllegalArgumentException naming the variable unless its value is a whole number */
    public long number(String name, long fallback) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) return fallback;
        try {
            return Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + raw.get() + "'");
        }
    }

    /** As {@link #number}, and refused, not wrapped around, when it does not fit in an {@code int}. */
    public int integer(String name, int fallback) {
        long value = number(name, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
            throw new IllegalArgumentException(name + " is out of range, got " + value);
        return (int) value;
    }
}
