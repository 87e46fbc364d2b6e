package com.relaybox.presence.app;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LifecycleTest {
    private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());

    private Managed part(String name, Managed.Phase phase, boolean failStart, boolean failStop) {
        return new Managed() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Phase phase() {
                return phase;
            }

            @Override
            public void start() {
                if (failStart) throw new IllegalStateException(name + " cannot start");
                events.add("start " + name);
            }

            @Override
            public void stop() {
                events.add("stop " + name);
                if (failStop) throw new IllegalStateException(name + " cannot stop");
            }
        };
    }

    @Test
    void startsByPhaseAndStopsInReverse() throws Exception {
        Set<Managed> parts = new LinkedHashSet<>(List.of(
                part("http", Managed.Phase.INTAKE, false, false),
                part("consumers", Managed.Phase.WORKERS, false, false),
                part("redis", Managed.Phase.CONNECTIONS, false, false)));
        Lifecycle lifecycle = new Lifecycle(parts);
        lifecycle.start();
        assertThat(lifecycle.stop()).isTrue();
        assertThat(events).containsExactly("start redis", "start consumers", "start http",
                "stop http", "stop consumers", "stop redis");
        assertThat(lifecycle.stop()).isTrue();
        assertThat(events).hasSize(6);
    }

    @Test
    void aFailedStartStopsWhatHadStartedAndThrows() {
        Lifecycle lifecycle = new Lifecycle(new LinkedHashSet<>(List.of(
                part("redis", Managed.Phase.CONNECTIONS, false, false),
                part("consumers", Managed.Phase.WORKERS, true, false),
                part("http", Managed.Phase.INTAKE, false, false))));
        assertThatThrownBy(lifecycle::start).hasMessage("consumers cannot start");
        assertThat(events).containsExactly("start redis", "stop redis");
    }

    @Test
    void aPartThatFailsToStopDoesNotKeepTheOthersOpen() throws Exception {
        Lifecycle lifecycle = new Lifecycle(new LinkedHashSet<>(List.of(
                part("redis", Managed.Phase.CONNECTIONS, false, false),
                part("consumers", Managed.Phase.WORKERS, false, true))));
        lifecycle.start();
        assertThat(lifecycle.stop()).isFalse();
        assertThat(events).containsExactly("start redis", "start consumers", "stop consumers", "stop redis");
    }
}
