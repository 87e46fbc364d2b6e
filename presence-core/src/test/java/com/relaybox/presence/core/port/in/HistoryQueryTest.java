package com.relaybox.presence.core.port.in;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryQueryTest {
    private static final Instant T0 = Instant.parse("2024-10-03T14:49:14.329Z");

    @Test
    void whatIsNotGivenIsEverythingUpToTheDefaultLimit() {
        assertThat(HistoryQuery.parse(Optional.empty(), Optional.empty(), Optional.empty()))
                .isEqualTo(new HistoryQuery(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59.999Z"), 100));
    }

    @Test
    void textIsReadAsInstantsWithZOrAnOffsetAndAWholeNumber() {
        assertThat(HistoryQuery.parse(Optional.of("2024-10-03T14:49:14.329Z"), Optional.of("2024-10-03T16:49:15+02:00"),
                Optional.of("1000"))).isEqualTo(new HistoryQuery(T0, Instant.parse("2024-10-03T14:49:15Z"), 1000));
        assertThat(HistoryQuery.parse(Optional.empty(), Optional.of("2024-10-03T14:49:14.329Z"), Optional.of("1")))
                .isEqualTo(new HistoryQuery(HistoryQuery.EARLIEST, T0, 1));
    }

    @Test
    void theLimitIsAWholeNumberFromOneToAThousand() {
        for (String limit : new String[] {"0", "-1", "1001", "ten", "1.5", "", "99999999999"})
            assertThatThrownBy(() -> HistoryQuery.parse(Optional.empty(), Optional.empty(), Optional.of(limit)))
                    .as(limit).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("limit must be a whole number between 1 and 1000, got '" + limit + "'");
        assertThatThrownBy(() -> new HistoryQuery(T0, T0.plusSeconds(1), 1001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be a whole number between 1 and 1000, got '1001'");
        assertThatThrownBy(() -> new HistoryQuery(T0, T0.plusSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromMustBeBeforeTo() {
        assertThatThrownBy(() -> new HistoryQuery(T0, T0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from (2024-10-03T14:49:14.329Z) must be before to (2024-10-03T14:49:14.329Z)");
        assertThatThrownBy(() -> HistoryQuery.parse(Optional.of("2024-01-02T00:00:00Z"), Optional.of("2024-01-01T00:00:00Z"),
                Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from (2024-01-02T00:00:00Z) must be before to (2024-01-01T00:00:00Z)");
        assertThat(new HistoryQuery(T0, T0.plusNanos(1), 1).to()).isAfter(T0);
    }

    @Test
    void aTimeThatIsNoInstantIsNamed() {
        assertThatThrownBy(() -> HistoryQuery.parse(Optional.of("yesterday"), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from must be an ISO-8601 instant such as 2024-10-03T14:49:14.329Z, got 'yesterday'");
        assertThatThrownBy(() -> HistoryQuery.parse(Optional.empty(), Optional.of("x".repeat(100)), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("to must be an ISO-8601 instant such as 2024-10-03T14:49:14.329Z, got '" + "x".repeat(80) + "...'");
    }
}
