package com.relaybox.presence.app;

import com.relaybox.presence.testkit.PostgresSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What the jar writes while it starts and stops: logfmt, every line, and the one line a failure promises. */
class StartupLogIT {
    /** One line of logfmt: key=value pairs, a value either a bare word or a quoted string with escapes. */
    static final Pattern LOGFMT;

    static {
        String value = "(?:\"(?:[^\"\\\\]++|\\\\.)*+\"|[^ \"=]++)";
        LOGFMT = Pattern.compile("[a-z_]+=" + value + "(?: [a-z_]+=" + value + ")*+");
    }

    @TempDir
    Path dir;

    @Test
    void everyLineOfARunIsLogfmtAndTheBuildIsNamedInTheStartingLineAndTheMetrics() throws Exception {
        BuildInfo build = BuildInfo.current();
        List<String> lines;
        try (JarProcess jar = JarProcess.start(dir, Map.of("PRESENCE_HTTP_PORT", "0", "LOG_LEVEL", "debug"))) {
            int port = jar.awaitStarted();
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("presence_build_info{commit=\"" + build.commit() + "\",version=\""
                    + build.version() + "\"} 1");
            jar.terminate();
            assertThat(jar.awaitExit(Duration.ofSeconds(30))).isZero();
            lines = jar.lines();
        }
        assertThat(lines).filteredOn(line -> line.contains("event=starting")).singleElement().asString()
                .contains("version=" + build.version()).contains("commit=" + build.commit());
        assertThat(lines).hasSizeGreaterThan(5).allSatisfy(line -> assertThat(line).matches(LOGFMT)
                .startsWith("ts=").contains(" level=").contains(" logger="));
    }

    @Test
    void aBusyHttpPortNamesTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             JarProcess jar = JarProcess.start(dir, Map.of("PRESENCE_HTTP_PORT", Integer.toString(taken.getLocalPort())))) {
            assertThat(jar.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(jar.lines()).filteredOn(line -> line.contains("event=start_failed")).singleElement().asString()
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(jar.lines()).allSatisfy(line -> assertThat(line).matches(LOGFMT));
        }
    }

    @Test
    void aBrokerThatRefusesTheLoginGivesOneStartFailedLineAndLeavesNoSchema() throws Exception {
        PostgresSchema schema = PostgresSchema.named("refused_start").create();
        try (schema; JarProcess jar = JarProcess.start(dir, Map.of(
                "REDIS_HOST", "127.0.0.1", "REDIS_TLS_DISABLED", "true",
                "RABBIT_MQ_CONNECTION_STRING", "amqp://guest:not-the-password@127.0.0.1:5672/%2F",
                "DB_HOST", "127.0.0.1", "DB_NAME", "test", "DB_USER", "postgres", "DB_TLS_DISABLED", "true",
                "PRESENCE_DB_SCHEMA", schema.name(), "PRESENCE_HTTP_PORT", "0"))) {
            assertThat(jar.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            List<String> lines = jar.lines();
            assertThat(lines).filteredOn(line -> line.contains("level=WARN") || line.contains("level=ERROR"))
                    .singleElement().asString().contains("event=start_failed").contains("ACCESS_REFUSED")
                    .doesNotContain("not-the-password");
            assertThat(lines).noneMatch(line -> line.contains("ForgivingExceptionHandler"))
                    .allSatisfy(line -> assertThat(line).matches(LOGFMT));
            assertThat(PostgresSchema.count("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                    + schema.name() + "'")).as("no schema migrated for a start that failed").isZero();
        }
    }
}
