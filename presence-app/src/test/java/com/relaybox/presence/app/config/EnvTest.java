package com.relaybox.presence.app.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvTest {

    @Test
    void readsKeyValueLinesSkippingCommentsAndBlankLines() {
        Map<String, String> values = Env.parseDotEnv("""
                # a comment
                REDIS_HOST=127.0.0.1

                  REDIS_PORT = 6380
                export LOG_LEVEL=debug
                """, ".env");
        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of(
                "REDIS_HOST", "127.0.0.1", "REDIS_PORT", "6380", "LOG_LEVEL", "debug"));
    }

    @Test
    void quotesKeepWhatIsInsideThem() {
        Map<String, String> values = Env.parseDotEnv("""
                A="two words # not a comment"
                B='single $quoted \\n'
                C="line\\nbreak and \\"quote\\"" # comment after
                D=unquoted # trailing comment
                E=a#b
                """, ".env");
        assertThat(values.get("A")).isEqualTo("two words # not a comment");
        assertThat(values.get("B")).isEqualTo("single $quoted \\n");
        assertThat(values.get("C")).isEqualTo("line\nbreak and \"quote\"");
        assertThat(values.get("D")).isEqualTo("unquoted");
        assertThat(values.get("E")).isEqualTo("a#b");
    }

    @Test
    void valueMayHoldEqualsSigns() {
        assertThat(Env.parseDotEnv("RABBIT_MQ_CONNECTION_STRING=amqp://u:p=q@h/v?x=1", ".env"))
                .containsEntry("RABBIT_MQ_CONNECTION_STRING", "amqp://u:p=q@h/v?x=1");
    }

    @Test
    void aLineWithoutEqualsNamesTheFileAndLine() {
        assertThatThrownBy(() -> Env.parseDotEnv("A=1\n\nNOT A SETTING\n", ".env"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.variable()).isEqualTo(".env line 3");
                    assertThat(e.problem()).isEqualTo("expected KEY=VALUE");
                });
    }

    @Test
    void badNamesAndUnterminatedQuotesAreErrors() {
        assertThatThrownBy(() -> Env.parseDotEnv("1ABC=x", ".env")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(".env line 1");
        assertThatThrownBy(() -> Env.parseDotEnv("A=\"open", ".env")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unterminated double quote");
        assertThatThrownBy(() -> Env.parseDotEnv("A='open", ".env")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unterminated single quote");
        assertThatThrownBy(() -> Env.parseDotEnv("A=\"x\" y", ".env")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("after the closing quote");
    }

    @Test
    void theEnvironmentWinsOverTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, "REDIS_HOST=from-file\nREDIS_PORT=6380\n");
        Env env = Env.load(Map.of("REDIS_HOST", "from-env"), file);
        assertThat(env.get("REDIS_HOST")).contains("from-env");
        assertThat(env.get("REDIS_PORT")).contains("6380");
    }

    @Test
    void aMissingFileIsNoFile(@TempDir Path dir) {
        Env env = Env.load(Map.of("A", "1"), dir.resolve(".env"));
        assertThat(env.get("A")).contains("1");
    }

    @Test
    void anEmptyValueIsUnset() {
        Env env = Env.of(Map.of("REDIS_HOST", "", "REDIS_PORT", "   "));
        assertThat(env.get("REDIS_HOST")).isEmpty();
        assertThat(env.isSet("REDIS_PORT")).isFalse();
    }

    @Test
    void anEmptyEnvironmentValueWinsTooAndUnsetsTheFilesValue(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, "REDIS_HOST=from-file\n");
        assertThat(Env.load(Map.of("REDIS_HOST", ""), file).get("REDIS_HOST")).isEmpty();
    }
}
