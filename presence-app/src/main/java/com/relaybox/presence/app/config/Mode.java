package com.relaybox.presence.app.config;

/** How the service runs: on the real services, or all in memory with jobs over HTTP. */
public enum Mode {
    EMBEDDED, SERVICES;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
