package com.relaybox.presence.adapter.postgres;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A RabbitMQ virtual host of the shared broker for one test class, deleted afterwards. */
final class TestVhost implements AutoCloseable {
    private final String name;

    private TestVhost(String name) {
        this.name = name;
    }

    static TestVhost create() {
        TestVhost vhost = new TestVhost("presence-test-pghistory-" + UUID.randomUUID().toString().substring(0, 8));
        rabbitmqctl("add_vhost", vhost.name);
        rabbitmqctl("set_permissions", "-p", vhost.name, "guest", ".*", ".*", ".*");
        return vhost;
    }

    String uri() {
        return "amqp://guest:guest@127.0.0.1:5672/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        rabbitmqctl("delete_vhost", name);
    }

    static void rabbitmqctl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " interrupted", e);
        }
    }
}
