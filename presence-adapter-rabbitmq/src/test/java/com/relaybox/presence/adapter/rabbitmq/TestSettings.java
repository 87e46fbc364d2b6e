package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.testkit.RabbitVhost;

/** This adapter's settings for a test's virtual host. Public for the tests of the history package. */
public final class TestSettings {
    private TestSettings() {
    }

    /** Connections are named {@code it-<role>}, so a test can find them on the broker. */
    public static RabbitSettings of(RabbitVhost vhost) {
        return RabbitSettings.of(vhost.uri()).withConnectionName("it");
    }
}
