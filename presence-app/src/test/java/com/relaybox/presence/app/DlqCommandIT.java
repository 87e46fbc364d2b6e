package com.relaybox.presence.app;

import com.rabbitmq.client.AMQP;
import com.relaybox.presence.adapter.rabbitmq.PresenceJobPublisher;
import com.relaybox.presence.adapter.rabbitmq.RabbitSettings;
import com.relaybox.presence.testkit.RabbitVhost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar presence-app.jar dlq ...} as an operator runs it, against the real broker. */
class DlqCommandIT {
    @RegisterExtension
    final RabbitVhost broker = RabbitVhost.named("dlq-cli");
    @TempDir
    Path dir;

    private void deadLetter(String routingKey, String jobId, String body, String reason) {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().type("presence:join").messageId(jobId)
                .contentType("application/json").deliveryMode(2).headers(Map.of("x-presence-error", reason)).build();
        broker.withChannel(channel -> {
            channel.basicPublish("ds.presence.dlx", routingKey, properties, body.getBytes(StandardCharsets.UTF_8));
            return null;
        });
    }

    private record Run(int exit, List<String> lines) {
        List<String> starting(String prefix) {
            return lines.stream().filter(line -> line.startsWith(prefix)).toList();
        }
    }

    private Run dlq(String... args) throws IOException, InterruptedException {
        String[] all = new String[args.length + 1];
        all[0] = "dlq";
        System.arraycopy(args, 0, all, 1, args.length);
        try (JarProcess jar = JarProcess.start(dir, Map.of("RABBIT_MQ_CONNECTION_STRING", broker.uri(),
                "RABBIT_MQ_QUEUE_COUNT", "2"), all)) {
            int exit = jar.awaitExit(Duration.ofSeconds(60));
            return new Run(exit, jar.lines());
        }
    }

    @Test
    void listShowsTheLettersThenADryRunChangesNothingThenReplayMovesThemWithinTheLimit() throws Exception {
        new PresenceJobPublisher(RabbitSettings.of(broker.uri()).withQueueCount(2)).close();
        deadLetter("0", "job-a", "{\"nspRoomId\":\"app1:a\"}", "message.data is not an object");
        deadLetter("1", "job-b", "{\"nspRoomId\":\"app1:b\"}", "bad timestamp");
        deadLetter("x", "job-c", "not json", "body is not JSON");

        Run list = dlq("list");
        assertThat(list.exit()).isZero();
        assertThat(list.starting("event=dead_letter ")).containsExactly(
                "event=dead_letter job_id=job-a type=presence:join queue=presence-0 bytes=22 reason=\"message.data is not an object\"",
                "event=dead_letter job_id=job-b type=presence:join queue=presence-1 bytes=22 reason=\"bad timestamp\"",
                "event=dead_letter job_id=job-c type=presence:join queue=none bytes=8 reason=\"body is not JSON\"");
        assertThat(list.starting("event=dlq_summary ")).containsExactly("event=dlq_summary in_dlq=3 shown=3");

        Run dryRun = dlq("replay", "--dry-run");
        assertThat(dryRun.exit()).isZero();
        assertThat(dryRun.starting("event=would_replay ")).hasSize(2);
        assertThat(dryRun.starting("event=would_keep ")).singleElement().asString().contains("job_id=job-c");
        assertThat(dryRun.starting("event=dlq_summary ")).containsExactly(
                "event=dlq_summary in_dlq=3 shown=3 would_replay=2 would_keep=1 dry_run=true");
        assertThat(broker.ready("presence-dlq")).as("a dry run changes nothing").isEqualTo(3);
        assertThat(broker.ready("presence-0") + broker.ready("presence-1")).isZero();

        Run one = dlq("replay", "--limit", "1");
        assertThat(one.exit()).isZero();
        assertThat(one.starting("event=replayed ")).singleElement().asString().contains("job_id=job-a", "queue=presence-0");
        assertThat(broker.ready("presence-0")).isEqualTo(1);
        assertThat(broker.ready("presence-dlq")).isEqualTo(2);

        Run rest = dlq("replay");
        assertThat(rest.exit()).isZero();
        assertThat(rest.starting("event=replayed ")).singleElement().asString().contains("job_id=job-b", "queue=presence-1");
        assertThat(rest.starting("event=kept ")).singleElement().asString().contains("job_id=job-c");
        assertThat(rest.starting("event=dlq_summary ")).containsExactly("event=dlq_summary replayed=1 kept=1 in_dlq=1");
        assertThat(broker.ready("presence-1")).isEqualTo(1);
    }

    @Test
    void aMistakeInTheArgumentsOrTheConfigurationExitsTwoWithTheReason() throws Exception {
        Run unknown = dlq("purge");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.lines()).contains("event=usage_error problem=\"dlq needs 'list' or 'replay', got 'purge'\"",
                DlqCommand.USAGE);

        Run badLimit = dlq("replay", "--limit", "0");
        assertThat(badLimit.exit()).isEqualTo(2);
        assertThat(badLimit.lines()).contains("event=usage_error problem=\"--limit must be a whole number of at least 1, got '0'\"");

        try (JarProcess jar = JarProcess.start(dir, Map.of(), "dlq", "list")) {
            assertThat(jar.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(jar.lines()).contains("event=config_error variable=RABBIT_MQ_CONNECTION_STRING "
                    + "problem=\"is not set, but the dlq command needs it\"");
        }
    }
}
