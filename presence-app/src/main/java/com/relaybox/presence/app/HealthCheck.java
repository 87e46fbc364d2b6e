package com.relaybox.presence.app;

/** A component that {@code /health/ready} asks; it must answer quickly and never throw. */
public interface HealthCheck {

    String component();

    Health check();

    static HealthCheck of(String component, java.util.function.Supplier<Health> check) {
        return new HealthCheck() {
            @Override
            public String component() {
                return component;
            }

            @Override
            public Health check() {
                return check.get();
            }
        };
    }
}
