package com.relaybox.presence.app;

import com.relaybox.presence.app.config.Variable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shaded jar as a real process: started with exactly the given variables (none of the
 * service's variables leak in from the environment running the tests), its output collected.
 */
final class JarProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("event=started .*http=[^ ]+:(\\d+)");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private JarProcess(Process process) {
        this.process = process;
        reader = new Thread(this::read, "jar-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Path jar() {
        String jar = System.getProperty("presence.jar");
        if (jar == null) throw new IllegalStateException("run under Failsafe: system property presence.jar is not set");
        return Path.of(jar);
    }

    /** The JVM running the tests: the jar is run with Java 17 whatever {@code java} is on the path. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static JarProcess start(Path workingDirectory, Map<String, String> variables, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return run(workingDirectory, variables, command);
    }

    /** Any command line, with exactly the given variables of the service's. */
    static JarProcess run(Path workingDirectory, Map<String, String> variables, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true);
        for (Variable variable : Variable.values()) builder.environment().remove(variable.name());
        builder.environment().putAll(variables);
        return new JarProcess(builder.start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.out.println("[jar " + process.pid() + "] " + line);
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Polls the output until a line matches, or fails at the deadline (or when the process dies first). */
    String awaitLine(Predicate<String> wanted, Duration within) throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            Optional<String> found = lines().stream().filter(wanted).findFirst();
            if (found.isPresent()) return found.get();
            if (!process.isAlive()) {
                reader.join(2_000);
                found = lines().stream().filter(wanted).findFirst();
                if (found.isPresent()) return found.get();
                throw new AssertionError("the process exited (" + process.exitValue() + ") before the line; output:\n"
                        + String.join("\n", lines()));
            }
            if (Instant.now().isAfter(deadline))
                throw new AssertionError("no such line within " + within + "; output:\n" + String.join("\n", lines()));
            Thread.onSpinWait();
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    /** Waits until the service says it has started; the HTTP port it bound. */
    int awaitStarted() throws InterruptedException {
        Matcher matcher = STARTED.matcher(awaitLine(line -> STARTED.matcher(line).find(), Duration.ofSeconds(60)));
        if (!matcher.find()) throw new AssertionError("unreachable");
        return Integer.parseInt(matcher.group(1));
    }

    /** The exit code, or fails if the process is still running at the deadline; output is read to the end. */
    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("still running after " + within + "; output:\n" + String.join("\n", lines()));
        reader.join(5_000);
        return process.exitValue();
    }

    /**
     * SIGTERM, as an orchestrator stops a container. Through the process handle: {@link Process#destroy()}
     * would also close our end of the output pipe and lose the shutdown lines.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL, as a crash or an OOM kill: no shutdown hook runs, nothing is given back or released. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) throw new AssertionError("still running 10 s after SIGKILL");
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
