package com.relaybox.presence.app.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's configuration reference and {@code .env.template} say what the service does: the
 * reference lists every variable, and each default it or the template states is the one
 * {@link Config} takes when the variable is unset.
 */
class ConfigurationReferenceTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z_]+)` \\| ([^|]*) \\|");
    /** A default cell that is one value, not a sentence ("—", "unset", "see ..."). */
    private static final Pattern LITERAL = Pattern.compile("`([^`]+)`");

    /** Each variable of the reference table with its default cell. */
    private static Map<String, String> referenceDefaults() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## Configuration reference"));
        section = section.substring(0, section.indexOf("\n## "));
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) defaults.put(row.group(1), row.group(2).strip());
        }
        return defaults;
    }

    private static Map<String, String> literalDefaults() throws IOException {
        Map<String, String> literals = new LinkedHashMap<>();
        referenceDefaults().forEach((name, cell) -> {
            Matcher literal = LITERAL.matcher(cell);
            if (literal.matches()) literals.put(name, literal.group(1));
        });
        return literals;
    }

    @Test
    void theReferenceListsExactlyTheVariablesTheServiceReads() throws IOException {
        assertThat(referenceDefaults().keySet()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Variable.values()).map(Variable::name).toList());
    }

    @Test
    void setToItsStatedDefaultAVariableChangesNothing() throws IOException {
        Map<String, String> literals = literalDefaults();
        assertThat(literals).hasSizeGreaterThan(20);
        Config unset = ConfigTest.config(ConfigTest.services());
        literals.forEach((name, value) -> assertThat(ConfigTest.config(ConfigTest.with(ConfigTest.services(), name, value)))
                .as("%s=%s", name, value).isEqualTo(unset));
    }

    /** {@code --help} prints the variable list's defaults: they are the reference's, word for word. */
    @Test
    void theVariableListStatesTheReferencesDefaults() throws IOException {
        Map<String, String> literals = literalDefaults();
        Map<String, String> cells = referenceDefaults();
        for (Variable variable : Variable.values()) {
            if (literals.containsKey(variable.name()))
                assertThat(variable.defaultValue()).as(variable.name()).isEqualTo(literals.get(variable.name()));
            else if (variable == Variable.PRESENCE_MODE)
                assertThat(variable.defaultValue()).isEqualTo("see Modes");
            else
                assertThat(variable.defaultValue()).as(variable.name()).isEqualTo(cells.get(variable.name()));
        }
    }

    @Test
    void theTemplateStatesTheSameDefaults() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", ".env.template"));
        Map<String, String> comments = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++)
            if (lines.get(i).matches("[A-Z_]+=")) comments.put(lines.get(i).replace("=", ""), lines.get(i - 1));
        literalDefaults().forEach((name, value) -> assertThat(comments.get(name)).as(name)
                .containsPattern("default " + Pattern.quote(value) + "(?![0-9A-Za-z_.])"));
    }
}
