package com.relaybox.presence.adapter.rabbitmq;

import org.junit.jupiter.api.Test;

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

    @Test
    void anUnparsableStringIsAClearErrorNamingTheVariableButNotThePassword() {
        assertThatThrownBy(() -> AmqpEndpoint.parse("http://user:topsecret@h/v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("RABBIT_MQ_CONNECTION_STRING must start with amqp:// or amqps://")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> AmqpEndpoint.parse("amqp://user:top secret@h/v"))
                .hasMessageStartingWith("RABBIT_MQ_CONNECTION_STRING is not a URI")
                .hasMessageNotContaining("top secret");
        assertThatThrownBy(() -> AmqpEndpoint.parse("")).hasMessage("RABBIT_MQ_CONNECTION_STRING is empty");
        assertThatThrownBy(() -> AmqpEndpoint.parse(null)).hasMessage("RABBIT_MQ_CONNECTION_STRING is empty");
        assertThatThrownBy(() -> AmqpEndpoint.parse("amqp:///vhost")).hasMessageContaining("has no host");
        assertThatThrownBy(() -> AmqpEndpoint.parse("amqp://h/a/b")).hasMessageContaining("%2F");
        assertThatThrownBy(() -> AmqpEndpoint.parse("amqp://u:p@h:99999/v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AmqpEndpoint.parse("amqp://u:p@h/%zz")).hasMessageContaining("is not a URI");
    }
}
