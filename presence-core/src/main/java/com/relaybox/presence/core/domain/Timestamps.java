package com.relaybox.presence.core.domain;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Event times as RelayBox writes them: ISO-8601 UTC with milliseconds. A producer may also send
 * an event time as a JSON number of milliseconds since the epoch (RelayBox's service took any
 * value); such a time travels as its digits, which no ISO-8601 instant is, and is written back
 * as the number it was.
 */
public final class Timestamps {
    private static final Pattern EPOCH_MILLIS = Pattern.compile("-?[0-9]{1,16}");

    private static final DateTimeFormatter MILLIS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return MILLIS_UTC.format(instant);
    }

    /** Whether an event time is milliseconds since the epoch (its digits) rather than ISO-8601 text. */
    public static boolean isEpochMillis(String eventTime) {
        return EPOCH_MILLIS.matcher(eventTime).matches();
    }

    /** The instant of an event time: ISO-8601 text, or milliseconds since the epoch as digits. */
    public static Instant eventTime(String eventTime) {
        // Sixteen digits at most: far inside the range of an Instant.
        return isEpochMillis(eventTime) ? Instant.ofEpochMilli(Long.parseLong(eventTime)) : parse(eventTime);
    }

    /** Parses an ISO-8601 instant, with {@code Z} or an offset. */
    public static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notZulu) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("timestamp '" + text + "' is not an ISO-8601 instant");
            }
        }
    }
}
