package com.relaybox.presence.app.http;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** A request's query parameters, %-decoded. A name given twice is a bad request: which one would count? */
final class Query {
    private final Map<String, String> params;

    private Query(Map<String, String> params) {
        this.params = params;
    }

    static Query parse(Optional<String> rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery.isEmpty()) return new Query(params);
        for (String pair : rawQuery.get().split("&")) {
            if (pair.isEmpty()) continue;
            int equals = pair.indexOf('=');
            String name = PercentDecoding.decode(equals < 0 ? pair : pair.substring(0, equals), "query");
            String value = equals < 0 ? "" : PercentDecoding.decode(pair.substring(equals + 1), "query parameter " + name);
            if (params.putIfAbsent(name, value) != null) throw new BadRequest("query parameter '" + name + "' is given twice");
        }
        return new Query(params);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(params.get(name));
    }

    OptionalInt wholeNumber(String name, int min, int max) {
        Optional<String> value = get(name);
        if (value.isEmpty()) return OptionalInt.empty();
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed >= min && parsed <= max) return OptionalInt.of(parsed);
        } catch (NumberFormatException e) {
            // named below, as a number out of range is
        }
        String given = value.get().length() <= 80 ? value.get() : value.get().substring(0, 80) + "...";
        throw new BadRequest(name + " must be a whole number between " + min + " and " + max + ", got '" + given + "'");
    }
}
