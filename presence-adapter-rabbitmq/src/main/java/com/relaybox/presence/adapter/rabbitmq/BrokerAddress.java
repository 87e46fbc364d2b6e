package com.relaybox.presence.adapter.rabbitmq;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One node of a RabbitMQ cluster, {@code host:port}. A list of them ({@link #parseList}) is the
 * cluster this service connects to: each connection goes to one of them, and, when its node goes,
 * recovers to another.
 */
public record BrokerAddress(String host, int port) {
    public BrokerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) throw new IllegalArgumentException("host must be non-empty");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }

    /**
     * Parses {@code host[:port],host[:port],...} (an IPv6 host in brackets, {@code [::1]:5672}), the
     * form Spring's {@code spring.rabbitmq.addresses} and RabbitMQ's own tools take. A node without a
     * port gets {@code defaultPort}.
     *
     * @throws IllegalArgumentException saying which entry is wrong and why
     */
    public static List<BrokerAddress> parseList(String value, int defaultPort) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("the address list is empty");
        Set<BrokerAddress> addresses = new LinkedHashSet<>();
        String[] entries = value.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            BrokerAddress address = parse(entries[i].strip(), defaultPort, i + 1);
            if (!addresses.add(address))
                throw new IllegalArgumentException("address " + (i + 1) + " (" + address + ") is listed twice");
        }
        return List.copyOf(new ArrayList<>(addresses));
    }

    private static BrokerAddress parse(String entry, int defaultPort, int position) {
        String where = "address " + position + " ('" + entry + "')";
        if (entry.isEmpty()) throw new IllegalArgumentException("address " + position + " is empty; expected host:port,host:port");
        String host;
        String port = null;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) throw new IllegalArgumentException(where + " opens an IPv6 '[' without closing it");
            host = entry.substring(1, close);
            String rest = entry.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw new IllegalArgumentException(where + " has something other than :port after ']'");
                port = rest.substring(1);
            }
        } else {
            int colon = entry.indexOf(':');
            if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0)
                throw new IllegalArgumentException(where + " has more than one ':'; write an IPv6 host in brackets, [::1]:5672");
            host = colon < 0 ? entry : entry.substring(0, colon);
            if (colon >= 0) port = entry.substring(colon + 1);
        }
        if (host.isEmpty()) throw new IllegalArgumentException(where + " has no host");
        if (!host.matches("[A-Za-z0-9._:%-]+"))
            throw new IllegalArgumentException(where + " is not a host name or IP address (no scheme, user or path here)");
        if (port == null) return new BrokerAddress(host, defaultPort);
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535)
            throw new IllegalArgumentException(where + " has port '" + port + "', not a number between 1 and 65535");
        return new BrokerAddress(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
