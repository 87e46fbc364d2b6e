package com.relaybox.presence.adapter.rabbitmq;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where the broker is and who we are there, as RelayBox's {@code RABBIT_MQ_CONNECTION_STRING}
 * gives it: {@code amqp://user:pass@host:port/vhost} or {@code amqps://...}. The virtual host is
 * URL-decoded ({@code %2F} is {@code /}); no path or a bare {@code /} is the default virtual host
 * {@code /}. Absent credentials are {@code guest}/{@code guest}, absent ports 5672 / 5671 (TLS).
 * The password never appears in {@link #toString()}.
 */
public record AmqpEndpoint(boolean tls, String host, int port, String username, String password, String virtualHost) {
    private static final String VARIABLE = "RABBIT_MQ_CONNECTION_STRING";

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
     * @throws IllegalArgumentException naming {@value #VARIABLE} and what is wrong (never the password)
     */
    public static AmqpEndpoint parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank())
            throw invalid("is empty", "");
        String text = connectionString.strip();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid("is not a URI (" + e.getReason() + ")", text);
        }
        String scheme = uri.getScheme();
        boolean tls;
        if ("amqp".equalsIgnoreCase(scheme)) tls = false;
        else if ("amqps".equalsIgnoreCase(scheme)) tls = true;
        else throw invalid("must start with amqp:// or amqps://", text);
        if (uri.getRawAuthority() == null || uri.getHost() == null)
            throw invalid("has no host (expected amqp://user:pass@host:port/vhost)", text);
        int port = uri.getPort() == -1 ? (tls ? 5671 : 5672) : uri.getPort();

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
                throw invalid("has a path with more than one segment; encode a '/' in the virtual host as %2F", text);
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

    private static IllegalArgumentException invalid(String what, String text) {
        String shown = text.isEmpty() ? "" : ": '" + withoutPassword(text) + "'";
        return new IllegalArgumentException(VARIABLE + " " + what + shown);
    }

    /** Hides whatever sits between the first ':' after the scheme and the last '@'. */
    static String withoutPassword(String text) {
        int schemeEnd = text.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int at = text.lastIndexOf('@');
        if (at < start) return text;
        int colon = text.indexOf(':', start);
        if (colon < 0 || colon > at) return text;
        return text.substring(0, colon + 1) + "****" + text.substring(at);
    }
}
