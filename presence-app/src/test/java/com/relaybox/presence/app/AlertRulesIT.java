package com.relaybox.presence.app;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules and the dashboard of {@code ops/} against the service as it is: promtool checks
 * the rules and runs their unit tests, and every series the rules, their tests and the dashboard's
 * panels read is in a real scrape of the service in services mode (name and labels), so a renamed
 * metric fails the build instead of silencing an alert.
 */
class AlertRulesIT {
    private static final Pattern OWN_METRIC = Pattern.compile("\\b(?:presence|jvm|process)_[a-z0-9_]*[a-z0-9]");
    private static final Pattern EXPR = Pattern.compile("^\\s*expr:\\s*(.+)$", Pattern.MULTILINE);
    private static final Pattern TEST_SERIES = Pattern.compile("^\\s*- series:\\s*'([^']+)'", Pattern.MULTILINE);
    /** Added by Prometheus when it scrapes, not by the service. */
    private static final List<String> SCRAPE_LABELS = List.of("instance", "job");

    private static final Path OPS = Path.of(System.getProperty("presence.repository", ".."), "ops");
    private static final Path RULES = OPS.resolve("prometheus/presence-alerts.yml");
    private static final Path RULE_TESTS = OPS.resolve("prometheus/presence-alerts.test.yml");
    private static final Path DASHBOARD = OPS.resolve("grafana/presence-dashboard.json");

    private static Scrape scrape;

    @BeforeAll
    static void scrapeTheServiceInServicesMode(@TempDir Path dir) throws Exception {
        try (ServicesFixture services = new ServicesFixture();
             JarProcess jar = JarProcess.start(dir, services.env())) {
            int port = jar.awaitStarted();
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            scrape = Scrape.parse(metrics.body());
        }
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(RULES.getParent().toFile()).redirectErrorStream(true).start();
        } catch (IOException absent) {
            Assumptions.abort("promtool is not installed (Debian package 'prometheus'; .ci/run installs it): " + absent.getMessage());
            throw absent;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + output).isZero();
        return output;
    }

    private static void assertScraped(String where, String promql) {
        List<Scrape.Series> read = Scrape.selectors(promql, OWN_METRIC);
        assertThat(read).as(where + " reads a metric of the service: " + promql).isNotEmpty();
        for (Scrape.Series series : read)
            assertThat(scrape.has(series)).as(where + ": " + series + " is in a real scrape").isTrue();
    }

    @Test
    void promtoolFindsTheRulesValidAndTheirTestsPass() throws Exception {
        assertThat(promtool("check", "rules", RULES.getFileName().toString())).contains("SUCCESS: 6 rules found");
        assertThat(promtool("test", "rules", RULE_TESTS.getFileName().toString())).contains("SUCCESS");
    }

    @Test
    void everySeriesARuleReadsIsInARealScrape() throws IOException {
        Matcher expr = EXPR.matcher(Files.readString(RULES));
        int rules = 0;
        for (; expr.find(); rules++) assertScraped("rule", expr.group(1));
        assertThat(rules).isEqualTo(6);
    }

    @Test
    void theRuleTestsSynthesizeSeriesAsTheServiceExposesThem() throws IOException {
        Matcher series = TEST_SERIES.matcher(Files.readString(RULE_TESTS));
        int count = 0;
        for (; series.find(); count++) {
            Scrape.Series synthesized = Scrape.selector(series.group(1));
            synthesized.labels().keySet().removeAll(SCRAPE_LABELS);
            assertThat(scrape.has(synthesized)).as(synthesized + " is in a real scrape").isTrue();
        }
        assertThat(count).isPositive();
    }

    @Test
    void everyPanelOfTheDashboardReadsSeriesOfARealScrape() throws IOException {
        JsonObject dashboard = JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
        int targets = 0;
        for (JsonElement panel : dashboard.getAsJsonArray("panels"))
            for (JsonElement target : panel.getAsJsonObject().getAsJsonArray("targets")) {
                assertScraped("panel '" + panel.getAsJsonObject().get("title").getAsString() + "'",
                        target.getAsJsonObject().get("expr").getAsString());
                targets++;
            }
        assertThat(targets).isGreaterThan(10);
    }
}
