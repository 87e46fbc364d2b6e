package com.relaybox.presence.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The broker's own command line, for what AMQP cannot do: virtual hosts, listing and closing connections. */
public final class Rabbitmqctl {
    private Rabbitmqctl() {
    }

    /** Runs {@code rabbitmqctl} with the arguments; its output, or an exception holding it when the command fails. */
    public static String run(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("rabbitmqctl did not finish: " + command);
            }
            if (process.exitValue() != 0)
                throw new IllegalStateException("rabbitmqctl failed (" + process.exitValue() + "): " + command + "\n" + output);
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
