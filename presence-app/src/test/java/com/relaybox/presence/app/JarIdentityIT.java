package com.relaybox.presence.app;

import com.relaybox.presence.app.config.Variable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar tells who it is: {@code --help}, {@code --version}, and a one-line refusal of anything else. */
class JarIdentityIT {
    @TempDir
    Path dir;

    private record Run(int exit, List<String> lines) {
    }

    private Run run(String... arguments) throws Exception {
        try (JarProcess jar = JarProcess.start(dir, Map.of(), arguments)) {
            int exit = jar.awaitExit(Duration.ofSeconds(60));
            return new Run(exit, jar.lines());
        }
    }

    @Test
    void helpPrintsTheModesTheSourcesOfConfigurationAndEveryVariableWithItsDefault() throws Exception {
        Run help = run("--help");

        assertThat(help.exit()).isZero();
        String text = String.join("\n", help.lines());
        assertThat(text).startsWith("Usage: java -jar presence-app.jar")
                .contains("embedded  ").contains("services  ").contains(".env file in the working directory");
        for (Variable variable : Variable.values())
            assertThat(help.lines()).as(variable.name()).anySatisfy(line -> assertThat(line)
                    .matches("  " + variable.name() + " +" + java.util.regex.Pattern.quote(variable.defaultValue()) + " +.+"));
        assertThat(text).doesNotContain("event=starting");
    }

    @Test
    void versionPrintsTheVersionAndTheCommitItWasBuiltFrom() throws Exception {
        Run version = run("--version");

        assertThat(version.exit()).isZero();
        assertThat(version.lines()).hasSize(1);
        assertThat(version.lines().get(0)).matches("presence-app \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{12}|unknown)\\)");
        String built = BuildInfo.current().commit();
        assertThat(version.lines().get(0)).as("the commit the build wrote into the jar's resources").endsWith("(commit " + built + ")");
    }

    @Test
    void anyOtherArgumentIsOneLineAndExitCode2() throws Exception {
        Run bad = run("--port", "80");

        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.lines()).hasSize(1);
        assertThat(bad.lines().get(0)).contains("level=ERROR").contains("event=bad_argument")
                .contains("arguments=\"--port 80\"").contains("--help or --version");
    }
}
