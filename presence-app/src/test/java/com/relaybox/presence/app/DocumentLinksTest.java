package com.relaybox.presence.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The repository stands alone: every relative link of its documents leads to a file inside it. */
class DocumentLinksTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsIsAFileOfTheRepository() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CHANGELOG.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).forEach(documents::add);
        }
        List<String> checked = new ArrayList<>();
        for (Path document : documents) {
            Matcher link = LINK.matcher(Files.readString(document));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("[a-z]+:.*")) continue; // https:, mailto:
                Path resolved = document.getParent().resolve(target).normalize();
                assertThat(resolved).as("%s links %s", ROOT.relativize(document), target).startsWith(ROOT).exists();
                checked.add(target);
            }
        }
        assertThat(checked).contains("docs/wire-contract.md", "docs/replacing-the-node-service.md", "LICENSE");
    }
}
