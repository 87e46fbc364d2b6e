package com.relaybox.presence.adapter.rabbitmq;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerAddressTest {
    @Test
    void aListOfHostsWithOrWithoutPorts() {
        assertThat(BrokerAddress.parseList("rabbit-1:5672, rabbit-2:5673,rabbit-3", 5671)).containsExactly(
                new BrokerAddress("rabbit-1", 5672), new BrokerAddress("rabbit-2", 5673), new BrokerAddress("rabbit-3", 5671));
        assertThat(BrokerAddress.parseList("10.0.0.7", 5672)).containsExactly(new BrokerAddress("10.0.0.7", 5672));
        assertThat(BrokerAddress.parseList("[::1]:5673,[fe80::1]", 5672))
                .containsExactly(new BrokerAddress("::1", 5673), new BrokerAddress("fe80::1", 5672));
        assertThat(new BrokerAddress("::1", 5673)).hasToString("[::1]:5673");
        assertThat(new BrokerAddress("rabbit-1", 5672)).hasToString("rabbit-1:5672");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|the address list is empty",
            "h1:5672,,h3|address 2 is empty; expected host:port,host:port",
            "h1:5672,h1:5672|address 2 (h1:5672) is listed twice",
            "h1:|address 1 ('h1:') has port '', not a number between 1 and 65535",
            "h1:0|address 1 ('h1:0') has port '0', not a number between 1 and 65535",
            "h1:70000|address 1 ('h1:70000') has port '70000', not a number between 1 and 65535",
            "h1:amqp|address 1 ('h1:amqp') has port 'amqp', not a number between 1 and 65535",
            ":5672|address 1 (':5672') has no host",
            "::1|address 1 ('::1') has more than one ':'; write an IPv6 host in brackets, [::1]:5672",
            "[::1|address 1 ('[::1') opens an IPv6 '[' without closing it",
            "[::1]5672|address 1 ('[::1]5672') has something other than :port after ']'",
            "amqp://h1:5672|address 1 ('amqp://h1:5672') has more than one ':'; write an IPv6 host in brackets, [::1]:5672",
            "user@h1|address 1 ('user@h1') is not a host name or IP address (no scheme, user or path here)",
    })
    void aMalformedEntrySaysWhichAndWhy(String value, String problem) {
        assertThatThrownBy(() -> BrokerAddress.parseList(value, 5672)).hasMessage(problem);
    }
}
