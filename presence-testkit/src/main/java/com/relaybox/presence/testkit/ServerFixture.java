package com.relaybox.presence.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Something of a test's own on a shared server, made before it is used and removed after, as
 * jdbi's {@code JdbiExtension} does: registered with {@code @RegisterExtension} in a static field it
 * serves the whole test class, in an instance field one test; outside JUnit, {@link #create()} it
 * and close it.
 */
abstract class ServerFixture implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {
    private boolean perClass;
    private boolean created;

    abstract void make();

    abstract void remove();

    /** Makes it on the server, once. */
    public ServerFixture create() {
        if (!created) {
            make();
            created = true;
        }
        return this;
    }

    /** Removes it from the server, with everything in it. */
    @Override
    public void close() {
        if (created) {
            created = false;
            remove();
        }
    }

    // JUnit calls beforeAll only for an extension in a static field.
    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        create();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        create();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) close();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
