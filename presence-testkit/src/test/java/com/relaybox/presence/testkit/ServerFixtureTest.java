package com.relaybox.presence.testkit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a fixture is made and removed, driven through the callbacks as JUnit calls them. */
class ServerFixtureTest {
    private static final class Counting extends ServerFixture {
        int made;
        int removed;

        @Override
        void make() {
            made++;
        }

        @Override
        void remove() {
            removed++;
        }
    }

    @Test
    void inAStaticFieldItServesEveryTestOfTheClass() {
        Counting fixture = new Counting();
        fixture.beforeAll(null);
        for (int test = 0; test < 3; test++) {
            fixture.beforeEach(null);
            fixture.afterEach(null);
        }
        assertThat(fixture.made).isEqualTo(1);
        assertThat(fixture.removed).isZero();

        fixture.afterAll(null);
        assertThat(fixture.removed).isEqualTo(1);
    }

    @Test
    void inAnInstanceFieldItServesOneTest() {
        Counting fixture = new Counting();
        fixture.beforeEach(null);
        assertThat(fixture.made).isEqualTo(1);

        fixture.afterEach(null);
        assertThat(fixture.removed).isEqualTo(1);
    }

    @Test
    void byHandItIsMadeOnceAndRemovedOnce() {
        Counting fixture = new Counting();
        try (Counting same = fixture) {
            same.create();
            same.create();
        }
        fixture.close();

        assertThat(fixture.made).isEqualTo(1);
        assertThat(fixture.removed).isEqualTo(1);
    }
}
