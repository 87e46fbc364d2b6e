package com.relaybox.presence.adapter.rabbitmq;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmqpEndpointTest {

    @Test
    void readsRelayBoxConnectionStrings() {
        assertThat(AmqpEndpoint.parse("amqp://user:secret@rabbit.internal:5673/relaybox"))
                .isEqualTo(new AmqpEndpoint(false, "rabbit.internal", 5673, "user", "secret", "relaybox"));
        assertThat(AmqpEndpoint.parse("amqps://user:secret@mq.example.com/prod"))
                .isEqualTo(new AmqpEndpoint(true, "mq.example.com", 5671, "user", "secret", "prod"));
    }

    @Test
    void theVirtualHostIsUrlDecodedAndDefaultsToSlash() {
        assertThat(AmqpEndpoint.parse("amqp://u:p@h:5672").virtualHost()).isEqualTo("/");
        assertThat(AmqpEndpoint.parse("amqp://u:p@h:5672/").virtualHost()).isEqualTo("/");
        assertThat(AmqpEndpoint.parse("amqp://u:p@h:5672/%2F").virtualHost()).isEqualTo("/");
        assertThat(AmqpEndpoint.parse("amqp://u:p@h/my%2Fvhost%20x").virtualHost()).isEqualTo("my/vhost x");
        assertThat(AmqpEndpoint.parse("amqp://u:p@h/a+b").virtualHost()).isEqualTo("a+b");
    }

    @Test
    void credentialsAreUrlDecodedAndDefaultToGuest() {
        AmqpEndpoint endpoint = AmqpEndpoint.parse("amqp://us%40er:p%3As%2Fs@h");
        assertThat(endpoint.username()).isEqualTo("us@er");
        assertThat(endpoint.password()).isEqualTo("p:s/s");
        assertThat(AmqpEndpoint.parse("amqp://u:p+w@h").password()).isEqualTo("p+w");
        AmqpEndpoint anonymous = AmqpEndpoint.parse("amqp://localhost");
        assertThat(anonymous.username()).isEqualTo("guest");
        assertThat(anonymous.password()).isEqualTo("guest");
        assertThat(anonymous.port()).isEqualTo(5672);
    }

    @Test
    void thePasswordIsNeverShown() {
        AmqpEndpoint endpoint = AmqpEndpoint.parse("amqp://user:topsecret@h:5672/v");
        assertThat(endpoint.toString()).isEqualTo("amqp://user@h:5672/v").doesNotContain("topsecret");
        assertThat(RabbitSettings.of(endpoint).toString()).doesNotContain("topsecret");
        assertThat(AmqpEndpoint.parse("amqp://u:p@h").redacted()).isEqualTo("amqp://u@h:5672/%2F");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://alice:topsecret@h/v|must start with amqp:// or amqps://",
            "alice:topsecret@h|must start with amqp:// or amqps://",
            "amqp://alice:top secret@h/v|is not a URI (Illegal character in authority); expected amqp://user:password@host:port/vhost",
            "amqp://alice:topsecret%zz@h/v|is not a URI (Malformed escape pair); expected amqp://user:password@host:port/vhost",
            "amqp:///vhost|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:topsecret@/v|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:topsecret|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:topsecret@my_host/v|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:topsecret@h:port/v|has no host, or a host name or port that is not valid; expected amqp://user:password@host:port/vhost",
            "amqp://alice:topsecret@h:/v|has an empty port",
            "amqp://alice:topsecret@h:|has an empty port",
            "amqp://alice:topsecret@h:0/v|has port 0, not between 1 and 65535",
            "amqp://alice:topsecret@h:99999/v|has port 99999, not between 1 and 65535",
            "amqp://alice:topsecret@h/a/b|has a path of more than one segment; a vhost holding '/' is written %2F",
            "amqp://alice:topsecret@h/a/|has a path of more than one segment; a vhost holding '/' is written %2F",
    })
    void aMalformedStringSaysWhatIsWrongButShowsNothingOfIt(String value, String problem) {
        assertThatThrownBy(() -> AmqpEndpoint.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the connection string " + problem + " (value not shown: it may hold a password)")
                .hasMessageNotContaining("topsecret")
                .hasMessageNotContaining("alice");
    }

    @Test
    void anEmptyStringIsAnError() {
        assertThatThrownBy(() -> AmqpEndpoint.parse("")).hasMessage("the connection string is empty");
        assertThatThrownBy(() -> AmqpEndpoint.parse(" ")).hasMessage("the connection string is empty");
        assertThatThrownBy(() -> AmqpEndpoint.parse(null)).hasMessage("the connection string is empty");
    }
}
