package com.relaybox.presence.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar, started with a configuration mistake, exits 2 with one line naming the variable. */
class ConfigErrorIT {
    @TempDir
    Path dir;

    private List<String> runExpectingExit2(Map<String, String> variables) throws Exception {
        try (JarProcess jar = JarProcess.start(dir, variables)) {
            assertThat(jar.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            return jar.lines().stream().filter(line -> !line.isBlank()).toList();
        }
    }

    @Test
    void aMalformedPortExits2WithOneLine() throws Exception {
        List<String> lines = runExpectingExit2(Map.of("REDIS_HOST", "127.0.0.1", "REDIS_PORT", "abc"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("level=ERROR").contains("event=config_error").contains("variable=REDIS_PORT")
                .contains("problem=\"must be a port number between 1 and 65535, got 'abc'\"");
    }

    @Test
    void aMistakeInTheDotEnvFileCountsToo() throws Exception {
        Files.writeString(dir.resolve(".env"), "# local settings\nRABBIT_MQ_QUEUE_COUNT=0\n");
        List<String> lines = runExpectingExit2(Map.of());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("variable=RABBIT_MQ_QUEUE_COUNT").contains("must be between 1 and 1000, got 0");
    }

    @Test
    void halfConfiguredServicesModeExits2() throws Exception {
        List<String> lines = runExpectingExit2(Map.of("REDIS_HOST", "127.0.0.1"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("variable=\"RABBIT_MQ_CONNECTION_STRING, DB_HOST, DB_NAME, DB_USER\"");
    }

    @Test
    void aBadConnectionStringIsNamedButNeverShown() throws Exception {
        List<String> lines = runExpectingExit2(Map.of("RABBIT_MQ_CONNECTION_STRING", "amqp://bob:hunter2@rabbit host/"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("variable=RABBIT_MQ_CONNECTION_STRING").doesNotContain("hunter2");
    }

    @Test
    void aPublicHttpHostWithoutATokenExits2() throws Exception {
        List<String> lines = runExpectingExit2(Map.of("PRESENCE_HTTP_HOST", "0.0.0.0"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("variable=PRESENCE_HTTP_HOST").contains("PRESENCE_API_TOKEN must be set");
    }
}
