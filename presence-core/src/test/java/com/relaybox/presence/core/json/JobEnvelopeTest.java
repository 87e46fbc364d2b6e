package com.relaybox.presence.core.json;

import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.RawJob;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobEnvelopeTest {

    private static RawJob read(String document) {
        return JobEnvelope.read(document.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theEnvelopeGivesTypeIdAndTheDataAsTheBody() {
        RawJob job = read("{\"type\":\"presence:join\",\"id\":\"job-1\",\"data\":{\"nspRoomId\":\"a:b\",\"n\":[1, 2]}}");

        assertThat(job).isEqualTo(new RawJob("presence:join", "job-1",
                "{\"nspRoomId\":\"a:b\",\"n\":[1,2]}".getBytes(StandardCharsets.UTF_8), false));
    }

    @Test
    void aMissingTypeOrIdIsNamedByItsFieldNotByTheAmqpProperty() {
        assertThatThrownBy(() -> read("{\"type\":null,\"id\":\"x\"}")).isInstanceOf(InvalidJobException.class)
                .hasMessage("missing job type ('type')");
        assertThatThrownBy(() -> read("{\"type\":\"presence:join\",\"data\":{}}")).isInstanceOf(InvalidJobException.class)
                .hasMessage("missing job id ('id')");
        assertThatThrownBy(() -> new JobParser(100).parse(read("{\"type\":\"presence:jump\",\"data\":{}}")))
                .as("an unknown type comes first, as on every transport").hasMessage("unknown job type 'presence:jump'");
    }

    @Test
    void aDocumentThatIsNoEnvelopeIsInvalidWithAReason() {
        for (String document : List.of("", "not json", "{a:1}", "[1,2]", "{} {}", "null"))
            assertThatThrownBy(() -> read(document)).as(document).isInstanceOf(InvalidJobException.class)
                    .hasMessageStartingWith("body is not")
                    .hasMessageEndingWith("; send {\"type\": \"presence:join\", \"id\": \"...\", \"data\": {...}}");
        assertThatThrownBy(() -> read("[1,2]")).hasMessageStartingWith("body is not a JSON object; ");
        assertThatThrownBy(() -> JobEnvelope.read(new byte[] {'{', (byte) 0xC3, '}'}))
                .isInstanceOf(InvalidJobException.class).hasMessageStartingWith("body is not valid UTF-8; ");
        assertThatThrownBy(() -> read("{\"type\":1}")).isInstanceOf(InvalidJobException.class)
                .hasMessage("'type' must be a string");
        assertThatThrownBy(() -> read("{\"type\":\"presence:join\",\"id\":{}}")).isInstanceOf(InvalidJobException.class)
                .hasMessage("'id' must be a string");
    }
}
