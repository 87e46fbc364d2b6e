package com.relaybox.presence.adapter.rabbitmq;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where the broker is and who we are there, as RelayBox's connection string gives it:
 * {@code amqp://user:pass@host:port/vhost} or {@code amqps://...}. The virtual host is URL-decoded
 * ({@code %2F} is {@code /}); no path or a bare {@code /} is the default virtual host {@code /}.
 * Absent credentials are {@code guest}/{@code guest}, absent ports 5672 / 5671 (TLS). The password
 * never appears in {@link #toString()} or in an error message.
 */
public record AmqpEndpoint(boolean tls, String host, int port, String username, String password, String virtualHost) {
    private static final String SUBJECT = "the connection string";

    public AmqpEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(virtualHost, "virtualHost");
        if (host.isEmpty()) throw new IllegalArgumentException("host must be non-empty");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
        if (virtualHost.isEmpty()) throw new IllegalArgumentException("virtualHost must be non-empty");
    }

    /**
     * Parses an AMQP URI. Query parameters (e.g. {@code ?heartbeat=30}) are ignored.
     *
     * @throws IllegalArgumentException saying what is wrong, quoting nothing of the value but an
     *                                  out-of-range port number
     */
    public static AmqpEndpoint parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank())
            throw new IllegalArgumentException(SUBJECT + " is empty");
        URI uri;
        try {
            uri = new URI(connectionString.strip());
        } catch (URISyntaxException e) {
            // The reason, unlike the message, does not quote the input.
            throw invalid("is not a URI (" + e.getReason() + "); expected amqp://user:password@host:port/vhost");
        }
        String scheme = uri.getScheme();
        boolean tls;
        if ("amqp".equalsIgnoreCase(scheme)) tls = false;
        else if ("amqps".equalsIgnoreCase(scheme)) tls = true;
        else throw invalid("must start with amqp:// or amqps://");
        // URI leaves the host null when there is none, but also when it cannot take the host (an '_' in
        // it) or the port (not a number): the message cannot tell which.
        if (uri.getHost() == null)
            throw invalid("has no host, or a host name or port that is not valid; expected "
                    + "amqp://user:password@host:port/vhost");
        // URI reads "host:" as no port; taking the default there would hide a port left out by mistake.
        if (uri.getPort() == -1 && uri.getRawAuthority().endsWith(":")) throw invalid("has an empty port");
        int port = uri.getPort() == -1 ? (tls ? 5671 : 5672) : uri.getPort();
        if (port < 1 || port > 65_535) throw invalid("has port " + port + ", not between 1 and 65535");

        String username = "guest";
        String password = "guest";
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }

        String path = uri.getRawPath();
        String virtualHost;
        if (path == null || path.isEmpty() || path.equals("/")) {
            virtualHost = "/";
        } else {
            String raw = path.substring(1);
            if (raw.contains("/"))
                throw invalid("has a path of more than one segment; a vhost holding '/' is written %2F");
            virtualHost = decode(raw);
        }
        return new AmqpEndpoint(tls, uri.getHost(), port, username, password, virtualHost);
    }

    /** The URI without the password, for logs and error messages. */
    public String redacted() {
        return (tls ? "amqps" : "amqp") + "://" + username + "@" + host + ":" + port + "/"
                + URLEncoder.encode(virtualHost, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return redacted();
    }

    /** {@link URI} has already refused malformed escapes; a '+' is a plus here, not a space. */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * Quotes nothing of the value: a malformed one cannot be trusted to show where its password is
     * ({@code amqp://user:secret}, the {@code @host} forgotten, reads as host {@code user}).
     */
    private static IllegalArgumentException invalid(String what) {
        return new IllegalArgumentException(SUBJECT + " " + what + " (value not shown: it may hold a password)");
    }
}
