package com.relaybox.presence.core.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Timestamps' own reading and writing of RelayBox's form agrees with java.time's everywhere. */
class TimestampsTest {
    private static final DateTimeFormatter MILLIS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli();

    @Test
    void formatWritesWhatTheFormatterWritesAndParseReadsItBack() {
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long millis = i < 10_000 ? YEAR_0 + (long) (random.nextDouble() * (YEAR_10000 - YEAR_0))
                    : 1_700_000_000_000L + random.nextInt(1_000_000_000);
            Instant instant = Instant.ofEpochMilli(millis).plusNanos(random.nextInt(1_000_000));
            String text = Timestamps.format(instant);
            assertThat(text).as(instant.toString()).isEqualTo(MILLIS_UTC.format(instant));
            assertThat(Timestamps.parse(text)).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void timesOutsideFourDigitYearsAndOtherFormsGoThroughJavaTime() {
        for (String text : List.of("+10000-01-01T00:00:00.000Z", "-0005-06-01T00:00:00.000Z", "2024-10-03T14:49:14Z",
                "2024-10-03T14:49:14.329001Z", "2024-10-03T16:49:14.329+02:00", "2016-12-31T23:59:60.000Z",
                "2024-10-03T24:00:00.000Z"))
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(javaTime(text));
        assertThat(Timestamps.format(Instant.parse("+10000-01-01T00:00:00Z"))).isEqualTo("+10000-01-01T00:00:00.000Z");
        assertThat(Timestamps.format(Instant.parse("-0005-06-01T00:00:00Z"))).isEqualTo("-0005-06-01T00:00:00.000Z");
    }

    @Test
    void fieldsOutOfRangeAreRefusedAsBefore() {
        for (String text : List.of("2024-13-03T14:49:14.329Z", "2023-02-29T14:49:14.329Z", "2024-04-31T00:00:00.000Z",
                "2024-10-03T14:60:14.329Z", "2024-1a-03T14:49:14.329Z", "2024-10-03 14:49:14.329Z",
                "yesterday", ""))
            assertThatThrownBy(() -> Timestamps.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        assertThat(Timestamps.parse("2024-02-29T23:59:59.999Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.999Z"));
    }

    /** How event times were read before Timestamps read RelayBox's form itself. */
    private static Instant javaTime(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException notZulu) {
            return java.time.OffsetDateTime.parse(text).toInstant();
        }
    }

    @Test
    void epochMillisAreUpToSixteenDigitsWithAnOptionalMinus() {
        Pattern rule = Pattern.compile("-?[0-9]{1,16}");
        for (String text : List.of("0", "-0", "1727966954329", "-1", "1234567890123456", "12345678901234567", "-", "",
                "+1", "1.0", "1e3", " 1", "١٢", "2024-10-03T14:49:14.329Z"))
            assertThat(Timestamps.isEpochMillis(text)).as(text).isEqualTo(rule.matcher(text).matches());
    }
}
