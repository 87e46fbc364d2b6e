package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.testkit.PostgresSchema;

/** This adapter's settings for a test's schema on the shared PostgreSQL. */
final class TestSettings {
    private TestSettings() {
    }

    static PostgresSettings of(PostgresSchema schema) {
        return PostgresSettings.local(PostgresSchema.DATABASE, PostgresSchema.USER, schema.name());
    }
}
