package com.relaybox.presence.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollTest {
    @Test
    void returnsTheFirstValueTheProbeGivesWithoutWaitingForTheDeadline() {
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();

        String value = Poll.until(Duration.ofMinutes(1), () -> calls.incrementAndGet() == 3 ? "third" : null, () -> "late");

        assertThat(value).isEqualTo("third");
        assertThat(calls).hasValue(3);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void atTheDeadlineProbesOnceMoreThenGivesTheFallback() {
        AtomicInteger calls = new AtomicInteger();

        assertThat(Poll.until(Duration.ofMillis(50), () -> {
            calls.incrementAndGet();
            return null;
        }, () -> "late")).isEqualTo("late");
        assertThat(calls.get()).isGreaterThan(1);
        assertThat(Poll.until(Duration.ZERO, () -> true)).as("a condition already true at the deadline").isTrue();
        assertThat(Poll.until(Duration.ofMillis(20), () -> false)).isFalse();
    }

    @Test
    void awaitFailsNamingWhatItAwaited() {
        Poll.await(Duration.ofSeconds(10), "already true", () -> true);

        assertThatThrownBy(() -> Poll.await(Duration.ofMillis(20), "the moon", () -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessage("not within PT0.02S: the moon");
    }
}
