package com.relaybox.presence.core.log;

/**
 * The service's log line format, {@code key=value} pairs (logfmt), as every module that logs
 * writes its values. Core itself logs nothing; this is only the one rule for a value, so that the
 * app and each adapter quote alike.
 */
public final class Logfmt {
    private Logfmt() {
    }

    /**
     * A value for a {@code key=value} line: as it is when it is one plain word, else in double
     * quotes with backslash, quote and control characters escaped, so a line stays one line.
     */
    public static String quote(String value) {
        String text = String.valueOf(value);
        if (!text.isEmpty() && text.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20 || c == 0x7f))
            return text;
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) quoted.append(String.format("\\u%04x", (int) c));
                    else quoted.append(c);
                }
            }
        }
        return quoted.append('"').toString();
    }
}
