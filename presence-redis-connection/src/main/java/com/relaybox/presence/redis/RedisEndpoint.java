package com.relaybox.presence.redis;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the presence Redis's primary is and how to talk to it: one server, or the primary that
 * Sentinel names (and names again after a failover). A value that cannot work is refused with an
 * {@link IllegalArgumentException} saying why.
 *
 * @param primary   one server, or Sentinel's master name and the Sentinels to ask
 * @param tls       connect with TLS (to Sentinels too), verifying the server's name
 * @param authToken the password sent with {@code AUTH} to the Redis servers
 */
public record RedisEndpoint(Primary primary, boolean tls, Optional<String> authToken) {

    /** How the primary is found. */
    public sealed interface Primary permits Server, Sentinel {
    }

    /** A single server, always the primary. */
    public record Server(RedisNode node) implements Primary {
        public Server {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * The primary Sentinel monitors as {@code masterName}.
     *
     * @param authToken the password sent with {@code AUTH} to the Sentinels ({@code requirepass} in
     *                  sentinel.conf), when they have one
     */
    public record Sentinel(String masterName, List<RedisNode> sentinels, Optional<String> authToken) implements Primary {
        public Sentinel {
            requireMasterName(masterName);
            Objects.requireNonNull(sentinels, "sentinels");
            Objects.requireNonNull(authToken, "authToken");
            if (sentinels.isEmpty()) throw new IllegalArgumentException("at least one Sentinel is needed");
            if (sentinels.stream().distinct().count() != sentinels.size())
                throw new IllegalArgumentException("a Sentinel is named twice: " + sentinels);
            sentinels = List.copyOf(sentinels);
            requireToken(authToken, "the Sentinel auth token");
        }

        /** Never shows the auth token: endpoints get logged. */
        @Override
        public String toString() {
            return "Sentinel[masterName=" + masterName + ", sentinels=" + sentinels + ", auth="
                    + (authToken.isPresent() ? "<token>" : "none") + "]";
        }
    }

    public RedisEndpoint {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(authToken, "authToken");
        requireToken(authToken, "the Redis auth token");
    }

    public static RedisEndpoint server(String host, int port, boolean tls, Optional<String> authToken) {
        return new RedisEndpoint(new Server(new RedisNode(host, port)), tls, authToken);
    }

    public static RedisEndpoint sentinel(String masterName, List<RedisNode> sentinels, Optional<String> sentinelAuthToken,
                                         boolean tls, Optional<String> authToken) {
        return new RedisEndpoint(new Sentinel(masterName, sentinels, sentinelAuthToken), tls, authToken);
    }

    /** A master name as Sentinel takes it in {@code sentinel monitor}: one word. */
    public static String requireMasterName(String masterName) {
        Objects.requireNonNull(masterName, "masterName");
        if (masterName.isEmpty() || masterName.length() > 256 || !masterName.chars().allMatch(c -> c > ' ' && c < 127))
            throw new IllegalArgumentException("the Sentinel master name must be 1 to 256 printable ASCII characters "
                    + "without spaces, got '" + masterName + "'");
        return masterName;
    }

    /** For logs: {@code 127.0.0.1:6379}, or {@code sentinel:mymaster@h1:26379,h2:26379}. */
    public String describe() {
        if (primary instanceof Server server) return server.node().toString();
        Sentinel sentinel = (Sentinel) primary;
        return "sentinel:" + sentinel.masterName() + "@"
                + sentinel.sentinels().stream().map(RedisNode::toString).collect(Collectors.joining(","));
    }

    private static void requireToken(Optional<String> token, String what) {
        if (token.isPresent() && token.get().isEmpty()) throw new IllegalArgumentException(what + ", when given, must not be empty");
    }

    /** Never shows the auth tokens: endpoints get logged. */
    @Override
    public String toString() {
        return "RedisEndpoint[" + describe() + ", tls=" + tls + ", auth=" + (authToken.isPresent() ? "<token>" : "none")
                + (primary instanceof Sentinel sentinel && sentinel.authToken().isPresent() ? ", sentinelAuth=<token>" : "")
                + "]";
    }
}
