package com.relaybox.presence.core.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.Map;

/**
 * Compact JSON text appended straight to a {@link StringBuilder}: the text Gson's
 * {@code JsonWriter} writes with core's settings (nulls kept, nothing HTML-escaped), character for
 * character, without its per-token bookkeeping. Every member, broadcast and history record on the
 * presence path is written with it, so its output is held to Gson's by {@code JsonTextTest}.
 *
 * <p>Names are core's own ASCII field names and are written as they are; string values are
 * escaped as Gson escapes them.
 */
final class JsonText {
    private static final String[] ESCAPES = new String[128];

    static {
        for (int c = 0; c < 0x20; c++) ESCAPES[c] = String.format("\\u%04x", c);
        ESCAPES['"'] = "\\\"";
        ESCAPES['\\'] = "\\\\";
        ESCAPES['\t'] = "\\t";
        ESCAPES['\b'] = "\\b";
        ESCAPES['\n'] = "\\n";
        ESCAPES['\r'] = "\\r";
        ESCAPES['\f'] = "\\f";
    }

    private final StringBuilder out;
    private boolean afterValue;

    JsonText(int capacity) {
        this.out = new StringBuilder(capacity);
    }

    JsonText beginObject() {
        separate();
        out.append('{');
        afterValue = false;
        return this;
    }

    JsonText endObject() {
        out.append('}');
        afterValue = true;
        return this;
    }

    JsonText beginArray() {
        separate();
        out.append('[');
        afterValue = false;
        return this;
    }

    JsonText endArray() {
        out.append(']');
        afterValue = true;
        return this;
    }

    /** A field name of core's: plain ASCII, needing no escape. */
    JsonText name(String name) {
        separate();
        out.append('"').append(name).append("\":");
        afterValue = false;
        return this;
    }

    /** A string, escaped; null is JSON {@code null}. */
    JsonText value(String value) {
        separate();
        if (value == null) out.append("null");
        else string(value);
        afterValue = true;
        return this;
    }

    JsonText value(long value) {
        separate();
        out.append(value);
        afterValue = true;
        return this;
    }

    JsonText nullValue() {
        separate();
        out.append("null");
        afterValue = true;
        return this;
    }

    /** Text that is JSON already (a member's data, a session), as it is. */
    JsonText json(String json) {
        separate();
        out.append(json);
        afterValue = true;
        return this;
    }

    /** An element as {@link JsonElement#toString} writes it. */
    JsonText element(JsonElement element) {
        if (element == null || element.isJsonNull()) return nullValue();
        if (element instanceof JsonPrimitive primitive) {
            if (primitive.isString()) return value(primitive.getAsString());
            // a number keeps the digits it was parsed from; a boolean is true or false
            return json(primitive.isNumber() ? primitive.getAsNumber().toString() : primitive.getAsString());
        }
        if (element instanceof JsonArray array) {
            beginArray();
            for (JsonElement item : array) element(item);
            return endArray();
        }
        beginObject();
        for (Map.Entry<String, JsonElement> member : ((JsonObject) element).entrySet()) {
            separate();
            string(member.getKey());
            out.append(':');
            afterValue = false;
            element(member.getValue());
        }
        return endObject();
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (afterValue) out.append(',');
    }

    private void string(String value) {
        out.append('"');
        int last = 0;
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            String escape;
            if (c < 128) {
                escape = ESCAPES[c];
                if (escape == null) continue;
            } else if (c == '\u2028') {
                escape = "\\u2028";
            } else if (c == '\u2029') {
                escape = "\\u2029";
            } else {
                continue;
            }
            out.append(value, last, i).append(escape);
            last = i + 1;
        }
        out.append(value, last, length).append('"');
    }
}
