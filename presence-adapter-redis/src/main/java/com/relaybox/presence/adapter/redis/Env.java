package com.relaybox.presence.adapter.redis;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads settings from an environment map; every error names its variable. An empty value counts as unset. */
final class Env {
    private final Map<String, String> env;

    Env(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    Optional<String> optional(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalArgumentException(name + " is required"));
    }

    long number(String name, long fallback, long min, long max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) return fallback;
        long value;
        try {
            value = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + raw.get() + "'");
        }
        if (value < min || value > max)
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        return value;
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) return fallback;
        switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(name + " must be true or false, got '" + raw.get() + "'");
        }
    }
}
