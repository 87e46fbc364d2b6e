package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Timestamps;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which part of a room's history to read: the records with {@code from <= timestamp < to}, newest
 * first, at most {@code limit}. Every rule of a history read lives here, so an embedder and the
 * HTTP API are held to the same ones; a query that breaks one is an {@link IllegalArgumentException}
 * whose message says which.
 */
public record HistoryQuery(Instant from, Instant to, int limit) {
    /** The range when neither end is given: everything. */
    public static final Instant EARLIEST = Instant.EPOCH;
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public HistoryQuery {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
        if (!allowed(limit)) throw badLimit(String.valueOf(limit));
    }

    /** The query as text gives it (HTTP's query parameters); what is absent takes its default. */
    public static HistoryQuery parse(Optional<String> from, Optional<String> to, Optional<String> limit) {
        return new HistoryQuery(from.map(text -> instant("from", text)).orElse(EARLIEST),
                to.map(text -> instant("to", text)).orElse(LATEST),
                limit.map(HistoryQuery::limit).orElse(DEFAULT_LIMIT));
    }

    private static Instant instant(String name, String text) {
        try {
            return Timestamps.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2024-10-03T14:49:14.329Z, got '"
                    + abbreviate(text) + "'");
        }
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (allowed(limit)) return limit;
        } catch (NumberFormatException e) {
            // named below, as a number out of range is
        }
        throw badLimit(text);
    }

    private static boolean allowed(int limit) {
        return limit >= 1 && limit <= MAX_LIMIT;
    }

    private static IllegalArgumentException badLimit(String given) {
        return new IllegalArgumentException("limit must be a whole number between 1 and " + MAX_LIMIT + ", got '"
                + abbreviate(given) + "'");
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
