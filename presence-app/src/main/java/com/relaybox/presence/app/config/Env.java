package com.relaybox.presence.app.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The variables the service sees: the process environment over a {@code .env} file (the
 * environment wins). An empty value counts as unset, so a copy of {@code .env.template} with
 * blank values configures nothing.
 */
public final class Env {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> values;

    private Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Env of(Map<String, String> values) {
        return new Env(values);
    }

    /** The process environment over the {@code .env} file at {@code dotEnv} (absent file: environment only). */
    public static Env load(Map<String, String> environment, Path dotEnv) {
        Map<String, String> merged = new HashMap<>(readDotEnv(dotEnv));
        merged.putAll(environment);
        return new Env(merged);
    }

    public Optional<String> get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public boolean isSet(String name) {
        return get(name).isPresent();
    }

    static Map<String, String> readDotEnv(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot be read: " + e.getMessage());
        }
        return parseDotEnv(text, file.getFileName().toString());
    }

    /**
     * {@code KEY=VALUE} lines; blank lines and {@code #} comments skipped; an optional {@code export }
     * prefix; a value in double quotes (with {@code \n}, {@code \"} and {@code \\} escapes) or single
     * quotes (taken as is); an unquoted value ends at {@code  #}.
     */
    static Map<String, String> parseDotEnv(String text, String fileName) {
        Map<String, String> values = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("export ")) line = line.substring("export ".length()).strip();
            int equals = line.indexOf('=');
            String where = fileName + " line " + (i + 1);
            if (equals < 0) throw new ConfigException(where, "expected KEY=VALUE");
            String name = line.substring(0, equals).strip();
            if (!NAME.matcher(name).matches())
                throw new ConfigException(where, "'" + abbreviate(name) + "' is not a variable name");
            values.put(name, value(line.substring(equals + 1).strip(), where));
        }
        return values;
    }

    private static String value(String raw, String where) {
        if (raw.startsWith("\"")) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '"') {
                    requireOnlyComment(raw.substring(i + 1), where);
                    return out.toString();
                }
                if (c == '\\' && i + 1 < raw.length()) {
                    char next = raw.charAt(++i);
                    out.append(next == 'n' ? '\n' : next);
                } else {
                    out.append(c);
                }
            }
            throw new ConfigException(where, "unterminated double quote");
        }
        if (raw.startsWith("'")) {
            int end = raw.indexOf('\'', 1);
            if (end < 0) throw new ConfigException(where, "unterminated single quote");
            requireOnlyComment(raw.substring(end + 1), where);
            return raw.substring(1, end);
        }
        int comment = raw.indexOf(" #");
        return (comment < 0 ? raw : raw.substring(0, comment)).strip();
    }

    private static void requireOnlyComment(String rest, String where) {
        String trimmed = rest.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#"))
            throw new ConfigException(where, "unexpected text after the closing quote");
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
