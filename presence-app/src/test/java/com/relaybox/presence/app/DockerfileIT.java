package com.relaybox.presence.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.relaybox.presence.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be tested of the image without Docker (this machine has none): the final stage of the
 * Dockerfile runs a Java 17 JRE as a non-root user, and the jar started with exactly its
 * ENTRYPOINT, CMD and ENV (the services pointed at the local servers, as docker-compose.yml points
 * them at its own) becomes ready, as its HEALTHCHECK command, run here, confirms. Only the HTTP
 * port differs: 0 for a free one, substituted into the health check.
 */
class DockerfileIT {
    private static final Path REPOSITORY = Path.of(System.getProperty("presence.repository", ".."));
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)");

    @TempDir
    Path dir;

    /** The instructions of the last stage, continuation lines joined, comments dropped. */
    private static List<String> finalStage() throws IOException {
        String joined = String.join("\n", Files.readAllLines(REPOSITORY.resolve("Dockerfile")).stream()
                .filter(line -> !line.stripLeading().startsWith("#")).toList()).replaceAll("\\\\\n", " ");
        List<String> stage = new ArrayList<>();
        for (String line : joined.split("\n")) {
            if (line.isBlank()) continue;
            if (line.startsWith("FROM ")) stage.clear();
            stage.add(line.trim().replaceAll("\\s+", " "));
        }
        return stage;
    }

    private static List<String> instructions(List<String> stage, String keyword) {
        return stage.stream().filter(line -> line.startsWith(keyword + " "))
                .map(line -> line.substring(keyword.length() + 1)).toList();
    }

    private static List<String> execForm(String json) {
        List<String> words = new ArrayList<>();
        JsonArray array = JsonParser.parseString(json).getAsJsonArray();
        for (JsonElement word : array) words.add(word.getAsString());
        return words;
    }

    @Test
    void theJarStartedAsTheImageStartsItBecomesReadyAndPassesTheImagesHealthCheck() throws Exception {
        List<String> stage = finalStage();
        assertThat(instructions(stage, "FROM")).singleElement().asString().contains(":17").contains("jre");
        assertThat(instructions(stage, "USER")).singleElement().asString().doesNotStartWith("root").doesNotStartWith("0");

        List<String> command = new ArrayList<>(execForm(instructions(stage, "ENTRYPOINT").get(0)));
        command.addAll(execForm(instructions(stage, "CMD").get(0)));
        // The README's start command, with options for the JVM only: the very options the README gives.
        String readme = Files.readString(REPOSITORY.resolve("README.md"));
        assertThat(readme).contains("java -jar presence-app/target/presence-app.jar");
        assertThat(command.get(0)).isEqualTo("java");
        int jarAt = command.indexOf("-jar");
        assertThat(command.subList(1, jarAt)).allMatch(option -> option.startsWith("-XX:") || option.startsWith("-X"));
        assertThat(readme.replace("\\\n  ", "")).as("the README's services-mode start command, JVM settings and all")
                .contains("java " + String.join(" ", command.subList(1, jarAt)) + " -jar presence-app/target/presence-app.jar");
        assertThat(command.get(jarAt + 1)).endsWith("/presence-app.jar");
        assertThat(command).hasSize(jarAt + 2);
        command.set(0, JarProcess.java());
        command.set(jarAt + 1, JarProcess.jar().toString());

        Map<String, String> env = new LinkedHashMap<>();
        for (String instruction : instructions(stage, "ENV")) {
            Matcher pair = ENV_PAIR.matcher(instruction);
            while (pair.find()) env.put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
        }
        assertThat(env).containsEntry("PRESENCE_HTTP_HOST", "0.0.0.0").containsKey("PRESENCE_HTTP_PORT");

        String health = instructions(stage, "HEALTHCHECK").get(0);
        assertThat(health).contains("/health/ready");
        String check = health.substring(health.indexOf("CMD ") + 4);

        try (ServicesFixture services = new ServicesFixture()) {
            env.putAll(services.env());                    // the services, as docker-compose.yml gives them
            env.put("PRESENCE_API_TOKEN", "image-token");   // needed with PRESENCE_HTTP_HOST=0.0.0.0
            env.put("PRESENCE_HTTP_PORT", "0");
            try (JarProcess jar = JarProcess.run(dir, env, command)) {
                int port = jar.awaitStarted();
                HttpResponse<String> ready = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                String portCheck = check.replace(":4004", ":" + port);
                Poll.await(Duration.ofSeconds(30), "the image's health check (" + portCheck + ") passes",
                        () -> exitCode(portCheck) == 0);
            }
        }
    }

    private static int exitCode(String shellCommand) {
        try {
            Process process = new ProcessBuilder("sh", "-c", shellCommand).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
