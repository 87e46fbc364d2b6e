package com.relaybox.presence.bench;

import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.PresenceJob;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorTest {

    @Test
    void generatedJobsAreValidRelayBoxJobsOfTheRequestedSize() {
        JobBodies bodies = new JobBodies("benchapp", 100);
        for (JobType type : new JobType[]{JobType.JOIN, JobType.UPDATE, JobType.LEAVE}) {
            byte[] body = bodies.body(new BenchJob(1234567, type, 42, 7, true));

            PresenceJob job = new JobParser(JobParser.DEFAULT_MAX_DATA_BYTES).parse(new RawJob(type.wireName(), "id", body, false));

            assertThat(job.type()).isEqualTo(type);
            assertThat(job.actor().connectionId().value()).isEqualTo("benchapp:conn-42");
            assertThat(job.match(PresenceJob.Join::room, PresenceJob.Update::room, PresenceJob.Leave::room, disconnect -> null))
                    .hasToString("benchapp:room-7");
            assertThat(job.match(PresenceJob.Join::dataJson, PresenceJob.Update::dataJson, PresenceJob.Leave::dataJson,
                    disconnect -> "").getBytes(StandardCharsets.UTF_8)).hasSize(100);
        }
    }

    @Test
    void aBroadcastIsMatchedToItsJobBySeq() {
        String broadcast = "{\"nspRoomId\":\"a:r\",\"data\":{\"id\":\"a:c\",\"data\":{\"seq\":98765,\"pad\":\"xx\"}}}";

        assertThat(JobBodies.seqOf(broadcast.getBytes(StandardCharsets.UTF_8))).isEqualTo(98765);
        assertThat(JobBodies.seqOf("{\"data\":null}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    @Test
    void theModelTracksMembershipsAndPicksOnlyRealOnes() {
        PresenceModel model = new PresenceModel(10, 3);
        Random random = new Random(1);
        model.join(0, 4);
        model.join(2, 4);
        model.join(2, 9);
        model.join(2, 9);

        assertThat(model.membershipCount()).isEqualTo(3);
        assertThat(model.membersByRoom()).isEqualTo(Map.of(4, Set.of(0, 2), 9, Set.of(2)));
        for (int i = 0; i < 50; i++) {
            int[] pick = model.anyMembership(random);
            assertThat(model.isMember(pick[0], pick[1])).isTrue();
            assertThat(model.roomNotJoined(2, random)).isNotIn(4, 9);
        }
        assertThat(model.leave(2, 4)).isTrue();
        assertThat(model.leave(2, 4)).isFalse();
        assertThat(model.membersByRoom()).isEqualTo(Map.of(4, Set.of(0), 9, Set.of(2)));
    }

    @Test
    void optionsHaveDefaultsAndRefuseNonsense() {
        BenchOptions defaults = BenchOptions.parse(new String[0], Map.of());

        assertThat(defaults.jobs()).isEqualTo(100_000);
        assertThat(defaults.mix()).isEqualTo(new BenchOptions.Mix(45, 10, 45));
        assertThat(defaults.rabbitUri()).isEqualTo("amqp://guest:guest@127.0.0.1:5672/");
        assertThat(defaults.ghosts()).as("no ghost scenario unless asked").isZero();
        assertThat(defaults.heartbeatKey()).isEqualTo("heartbeat:keepalive");
        assertThat(BenchOptions.parse(new String[]{"--ghosts", "100", "--heartbeat-key", "heartbeat:bench",
                "--liveness-timeout-s", "10"}, Map.of())).satisfies(o -> {
            assertThat(o.ghosts()).isEqualTo(100);
            assertThat(o.heartbeatKey()).isEqualTo("heartbeat:bench");
            assertThat(o.livenessTimeoutSeconds()).isEqualTo(10);
        });
        assertThat(BenchOptions.parse(new String[]{"--rate", "1000", "--mode", "uniform"}, Map.of("RABBIT_MQ_QUEUE_COUNT", "7")))
                .satisfies(o -> {
                    assertThat(o.rate()).isEqualTo(1000);
                    assertThat(o.uniform()).isTrue();
                    assertThat(o.queueCount()).isEqualTo(7);
                });
        assertThatThrownBy(() -> BenchOptions.parse(new String[]{"--mix", "50,10,45"}, Map.of()))
                .hasMessage("--mix must be three percentages adding up to 100");
        assertThatThrownBy(() -> BenchOptions.parse(new String[]{"--jobs", "many"}, Map.of()))
                .hasMessage("--jobs must be a whole number, got 'many'");
        assertThatThrownBy(() -> BenchOptions.parse(new String[]{"--frobnicate", "1"}, Map.of()))
                .hasMessage("unknown option --frobnicate");
    }

    @Test
    void theBullMqIntakeIsChosenByOptionWithRelayBoxsQueueByDefault() {
        assertThat(BenchOptions.parse(new String[0], Map.of()).intake()).isEqualTo(BenchOptions.Intake.RABBITMQ);
        BenchOptions bullmq = BenchOptions.parse(new String[]{"--intake", "bullmq"}, Map.of());
        assertThat(bullmq.intake()).isEqualTo(BenchOptions.Intake.BULLMQ);
        assertThat(bullmq.bullMqPrefix() + ":" + bullmq.bullMqQueue()).isEqualTo("queue:presence");
        assertThat(BenchOptions.parse(new String[]{"--intake", "bullmq", "--bullmq-prefix", "presence-bench"}, Map.of())
                .bullMqPrefix()).isEqualTo("presence-bench");
        assertThatThrownBy(() -> BenchOptions.parse(new String[]{"--intake", "kafka"}, Map.of()))
                .hasMessage("--intake must be rabbitmq or bullmq, got kafka");
    }
}
