package com.relaybox.presence.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The series of a Prometheus text exposition (or of a PromQL selector): names and labels. */
record Scrape(List<Series> series) {
    private static final Pattern SERIES = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"");

    record Series(String name, Map<String, String> labels) {
        /** Every label of {@code wanted} is here with the same value. */
        boolean matches(Series wanted) {
            return name.equals(wanted.name) && labels.entrySet().containsAll(wanted.labels.entrySet());
        }
    }

    static Scrape parse(String exposition) {
        List<Series> all = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            all.add(selector(line.substring(0, line.lastIndexOf(' ')).trim()));
        }
        return new Scrape(all);
    }

    /** {@code name{label="value", ...}}; label matchers other than {@code =} are not used by our rules. */
    static Series selector(String text) {
        Matcher series = SERIES.matcher(text.trim());
        if (!series.matches()) throw new IllegalArgumentException("not a series: " + text);
        Map<String, String> labels = new LinkedHashMap<>();
        if (series.group(2) != null) {
            Matcher label = LABEL.matcher(series.group(2));
            while (label.find()) labels.put(label.group(1), label.group(2));
        }
        return new Series(series.group(1), labels);
    }

    /** The selectors of the service's own metrics in a PromQL expression. */
    static List<Series> selectors(String promql, Pattern ownMetric) {
        List<Series> found = new ArrayList<>();
        Matcher matcher = Pattern.compile(ownMetric.pattern() + "(\\{[^}]*})?").matcher(promql);
        while (matcher.find()) found.add(selector(matcher.group()));
        return found;
    }

    boolean has(Series wanted) {
        return series.stream().anyMatch(series -> series.matches(wanted));
    }
}
