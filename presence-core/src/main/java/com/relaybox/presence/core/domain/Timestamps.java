package com.relaybox.presence.core.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Event times as RelayBox writes them: ISO-8601 UTC with milliseconds. A producer may also send
 * an event time as a JSON number of milliseconds since the epoch (RelayBox's service took any
 * value); such a time travels as its digits, which no ISO-8601 instant is, and is written back
 * as the number it was.
 */
public final class Timestamps {
    private static final int MAX_EPOCH_MILLIS_DIGITS = 16;
    /** {@code uuuu-MM-ddTHH:mm:ss.SSSZ}: what RelayBox writes, and so nearly every event time. */
    private static final int MILLIS_UTC_LENGTH = 24;

    private static final DateTimeFormatter MILLIS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = time.getYear();
        if (year < 0 || year > 9999) return MILLIS_UTC.format(instant);
        // the formatter's text, written without it: it is on the path of every job
        char[] text = new char[MILLIS_UTC_LENGTH];
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, time.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, time.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, time.getHour(), 2);
        text[13] = ':';
        digits(text, 14, time.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, time.getSecond(), 2);
        text[19] = '.';
        digits(text, 20, time.getNano() / 1_000_000, 3);
        text[23] = 'Z';
        return new String(text);
    }

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--, value /= 10) text[i] = (char) ('0' + value % 10);
    }

    /** Whether an event time is milliseconds since the epoch (its digits) rather than ISO-8601 text. */
    public static boolean isEpochMillis(String eventTime) {
        int start = eventTime.startsWith("-") ? 1 : 0;
        int digits = eventTime.length() - start;
        if (digits < 1 || digits > MAX_EPOCH_MILLIS_DIGITS) return false;
        for (int i = start; i < eventTime.length(); i++) {
            char c = eventTime.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** The instant of an event time: ISO-8601 text, or milliseconds since the epoch as digits. */
    public static Instant eventTime(String eventTime) {
        // Sixteen digits at most: far inside the range of an Instant.
        return isEpochMillis(eventTime) ? Instant.ofEpochMilli(Long.parseLong(eventTime)) : parse(eventTime);
    }

    /** Parses an ISO-8601 instant, with {@code Z} or an offset. */
    public static Instant parse(String text) {
        Instant millisUtc = parseMillisUtc(text);
        if (millisUtc != null) return millisUtc;
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

    /** {@code uuuu-MM-ddTHH:mm:ss.SSSZ} read without a parser; null for any other text, or a field out of range. */
    private static Instant parseMillisUtc(String text) {
        if (text.length() != MILLIS_UTC_LENGTH || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != '.' || text.charAt(23) != 'Z')
            return null;
        int year = number(text, 0, 4), month = number(text, 5, 2), day = number(text, 8, 2);
        int hour = number(text, 11, 2), minute = number(text, 14, 2), second = number(text, 17, 2);
        int millis = number(text, 20, 3);
        if ((year | month | day | hour | minute | second | millis) < 0 || month < 1 || month > 12 || day < 1
                || day > YearMonth.of(year, month).lengthOfMonth() || hour > 23 || minute > 59 || second > 59)
            return null;    // the parser says what is wrong, or reads what it reads (a leap second)
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
    }

    /** The decimal number of {@code width} digits at {@code at}; -1 when one is not a digit. */
    private static int number(String text, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
