package com.relaybox.presence.app;

/** A component that {@code /health/ready} asks; it must answer quickly and never throw. */
public interface HealthCheck {

    String component();

    Health check();
}
