package com.relaybox.presence.redis;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisEndpointTest {
    @Test
    void nodesAreHostColonPortWithIpv6InBrackets() {
        assertThat(RedisNode.parse(" sentinel-1:26379 ")).isEqualTo(new RedisNode("sentinel-1", 26379));
        assertThat(RedisNode.parse("[fe80::1]:26379")).isEqualTo(new RedisNode("fe80::1", 26379));
        assertThat(new RedisNode("fe80::1", 26379)).hasToString("[fe80::1]:26379");
        assertThat(RedisNode.parseList("a:1,b:2")).containsExactly(new RedisNode("a", 1), new RedisNode("b", 2));
        assertThatThrownBy(() -> RedisNode.parse("sentinel-1")).hasMessage("'sentinel-1' is not host:port");
        assertThatThrownBy(() -> RedisNode.parse(":26379")).hasMessage("':26379' is not host:port");
        assertThatThrownBy(() -> RedisNode.parse("fe80::1:26379"))
                .hasMessageStartingWith("'fe80::1:26379' is not host:port (write an IPv6 address in brackets");
        assertThatThrownBy(() -> RedisNode.parse("a:b")).hasMessage("'a:b' has no port number after the last ':'");
        assertThatThrownBy(() -> RedisNode.parse("a:0")).hasMessage("'a:0' has port 0, not between 1 and 65535");
        assertThatThrownBy(() -> RedisNode.parseList("a:1,")).hasMessageStartingWith("has an empty entry");
        assertThatThrownBy(() -> RedisNode.parseList("a:1, a:1")).hasMessage("names a:1 twice");
    }

    @Test
    void sentinelNeedsAMasterNameAndAtLeastOneSentinel() {
        List<RedisNode> one = List.of(new RedisNode("s", 26379));
        assertThatThrownBy(() -> new RedisEndpoint.Sentinel("", one, Optional.empty()))
                .hasMessageStartingWith("the Sentinel master name must be 1 to 256 printable ASCII characters");
        assertThatThrownBy(() -> new RedisEndpoint.Sentinel("m", List.of(), Optional.empty()))
                .hasMessage("at least one Sentinel is needed");
        assertThatThrownBy(() -> new RedisEndpoint.Sentinel("m", one, Optional.of("")))
                .hasMessage("the Sentinel auth token, when given, must not be empty");
        assertThatThrownBy(() -> RedisEndpoint.server("h", 6379, false, Optional.of("")))
                .hasMessage("the Redis auth token, when given, must not be empty");
    }

    @Test
    void noTokenShowsInWhatGetsLogged() {
        RedisEndpoint sentinel = RedisEndpoint.sentinel("presence", List.of(new RedisNode("a", 26379), new RedisNode("b", 26380)),
                Optional.of("sentinel-s3cret"), true, Optional.of("redis-s3cret"));
        assertThat(sentinel.describe()).isEqualTo("sentinel:presence@a:26379,b:26380");
        assertThat(sentinel.toString()).doesNotContain("s3cret").contains("auth=<token>", "sentinelAuth=<token>", "tls=true");
        assertThat(sentinel.primary().toString()).doesNotContain("s3cret");
        assertThat(RedisEndpoint.server("h", 6379, false, Optional.empty()).describe()).isEqualTo("h:6379");
    }
}
