package com.relaybox.presence.app.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The repository's {@code .env.template} names every variable the service reads, each under a comment. */
class EnvTemplateTest {

    @Test
    void theTemplateListsExactlyTheVariablesTheServiceReads() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", ".env.template"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            assertThat(line).as("line %d", i + 1).matches("[A-Z_]+=");
            assertThat(lines.get(i - 1)).as("comment above %s", line).startsWith("# ");
            names.add(line.substring(0, line.length() - 1));
        }
        assertThat(names).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Variable.values()).map(Variable::name).toList());
    }

    @Test
    void theTemplateAsItIsConfiguresEmbeddedMode() {
        Env env = Env.load(java.util.Map.of(), Path.of("..", ".env.template"));
        assertThat(Config.from(env).mode()).isEqualTo(Mode.EMBEDDED);
    }
}
