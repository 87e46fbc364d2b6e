package com.relaybox.presence.core.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** JsonText writes what Gson's JsonWriter wrote with core's settings, character for character. */
class JsonTextTest {
    private static final String SPECIALS = "\"\\/<>&='\t\b\n\r\f\u0000\u0001\u001f\u007f é€\u2028\u2029\ud83d\ude00\ud800x";

    @Test
    void everyCharacterIsEscapedAsGsonEscapesIt() throws IOException {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) all.append(c);
        for (String text : List.of("", "plain", SPECIALS, all.toString(), "\ud800", "\udc00", "a\ud83d"))
            assertThat(new JsonText(16).value(text).toString()).as(text).isEqualTo(gson(text));
    }

    @Test
    void randomStringsAreEscapedAsGsonEscapesThem() throws IOException {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            String text = randomString(random);
            assertThat(new JsonText(16).value(text).toString()).as(text).isEqualTo(gson(text));
        }
    }

    @Test
    void anElementIsWrittenAsItsToStringWritesIt() {
        for (String json : List.of("null", "true", "false", "0", "-0", "1.0", "1e5", "1E+05", "-12.500e-3", "123456789012345678901234",
                "\"x\"", "[]", "{}", "[1,[2,[3]],{}]", "{\"a\":{\"b\":[null,true,\"<é>\"]},\"c\":\"\\u2028\\n\"}",
                "{ \"spaced\" : [ 1 , 2 ] }", "{\"dup\":1,\"dup\":2}"))
            assertThat(PresenceJson.compact(JsonParser.parseString(json))).as(json).isEqualTo(JsonParser.parseString(json).toString());

        Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            JsonElement element = randomElement(random, 0);
            assertThat(PresenceJson.compact(element)).isEqualTo(element.toString());
        }
    }

    @Test
    void namesValuesAndNestingAreSeparatedAsJsonWriterSeparatesThem() throws IOException {
        JsonText text = new JsonText(16).beginObject().name("a").value(1).name("b").beginArray().value("x").nullValue()
                .json("{\"k\":2}").beginObject().endObject().endArray().name("c").value((String) null).endObject();

        StringWriter out = new StringWriter();
        try (JsonWriter json = writer(out)) {
            json.beginObject().name("a").value(1).name("b").beginArray().value("x").nullValue().jsonValue("{\"k\":2}")
                    .beginObject().endObject().endArray().name("c").value((String) null).endObject();
        }
        assertThat(text.toString()).isEqualTo(out.toString());
    }

    private static String gson(String text) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonWriter json = writer(out)) {
            json.value(text);
        }
        return out.toString();
    }

    /** Core's JsonWriter settings before JsonText: compact, nulls kept, nothing HTML-escaped. */
    private static JsonWriter writer(StringWriter out) {
        JsonWriter json = new JsonWriter(out);
        json.setSerializeNulls(true);
        json.setHtmlSafe(false);
        return json;
    }

    private static String randomString(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(12);
        for (int k = 0; k < length; k++) {
            text.append(switch (random.nextInt(3)) {
                case 0 -> SPECIALS.charAt(random.nextInt(SPECIALS.length()));
                case 1 -> (char) random.nextInt(0x80);
                default -> (char) random.nextInt(0x10000);
            });
        }
        return text.toString();
    }

    private static JsonElement randomElement(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 4 : 6);
        return switch (kind) {
            case 0 -> JsonNull.INSTANCE;
            case 1 -> new JsonPrimitive(random.nextBoolean());
            case 2 -> JsonParser.parseString(Long.toString(random.nextLong()) + (random.nextBoolean() ? ".25" : ""));
            case 3 -> new JsonPrimitive(randomString(random));
            case 4 -> {
                JsonArray array = new JsonArray();
                for (int i = random.nextInt(4); i > 0; i--) array.add(randomElement(random, depth + 1));
                yield array;
            }
            default -> {
                JsonObject object = new JsonObject();
                for (int i = random.nextInt(4); i > 0; i--) object.add(randomString(random), randomElement(random, depth + 1));
                yield object;
            }
        };
    }
}
