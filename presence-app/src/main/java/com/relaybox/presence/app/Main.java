package com.relaybox.presence.app;

import com.relaybox.presence.core.log.Logfmt;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.relaybox.presence.app.config.Config;
import com.relaybox.presence.app.config.ConfigException;
import com.relaybox.presence.app.config.Env;
import com.relaybox.presence.app.config.Intake;
import com.relaybox.presence.app.config.Mode;
import com.relaybox.presence.app.config.ServicesConfig;
import com.relaybox.presence.app.http.ApiServer;
import com.relaybox.presence.app.wiring.AppModule;
import com.relaybox.presence.app.wiring.BullMqModule;
import com.relaybox.presence.app.wiring.EmbeddedModule;
import com.relaybox.presence.app.wiring.PostgresModule;
import com.relaybox.presence.app.wiring.RabbitIntakeModule;
import com.relaybox.presence.app.wiring.RabbitModule;
import com.relaybox.presence.app.wiring.RedisModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Reads the configuration, chooses the modules for the mode once, starts every part, and on
 * SIGTERM or SIGINT stops them in reverse: exit 0 when that is done within
 * {@value #SHUTDOWN_SECONDS} seconds, else exit 1. A configuration mistake exits 2 with one line.
 */
public final class Main {
    public static final int EXIT_CONFIG = 2;
    static final int SHUTDOWN_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("dlq")) {
            System.exit(DlqCommand.run(List.of(args).subList(1, args.length), System.getenv(), Path.of(".env"), System.out));
            return;
        }
        long startedAt = System.nanoTime();
        BuildInfo build = BuildInfo.current();
        if (args.length > 0) {
            System.exit(answer(args, build));
            return;
        }
        Config config;
        try {
            config = Config.from(Env.load(System.getenv(), Path.of(".env")));
        } catch (ConfigException e) {
            log.error("event=config_error variable={} problem={}", Logfmt.quote(e.variable()), Logfmt.quote(e.problem()));
            System.exit(EXIT_CONFIG);
            return;
        }
        Logging.apply(config.log());
        log.info("event=starting version={} commit={} mode={} reason={}", Logfmt.quote(build.version()),
                Logfmt.quote(build.commit()), config.mode().wireName(), Logfmt.quote(config.modeReason()));
        config.services().ifPresent(services -> log.info("event=config redis={} redis_tls={} redis_wait_replicas={} "
                        + "rabbitmq={} postgres={}:{}/{} postgres_tls={} schema={} queues={} queue_type={} intakes={} bullmq={}*",
                services.redis().endpoint().describe(), services.redis().endpoint().tls(),
                services.redis().replicaWait().replicas(), services.rabbit().endpoint(),
                services.postgres().host(), services.postgres().port(), services.postgres().database(),
                !services.postgres().tlsDisabled(), services.postgres().schema(), services.rabbit().queueCount(),
                services.rabbit().queueType().argument(),
                services.intakes().stream().map(Intake::wireName).sorted().reduce((a, b) -> a + "," + b).orElse(""),
                services.bullmq().keyBase()));

        Injector injector;
        try {
            injector = Guice.createInjector(Stage.PRODUCTION, modules(config));
        } catch (CreationException e) {
            log.error("event=start_failed error={}", Logfmt.quote(firstCause(e.getErrorMessages())));
            System.exit(1);
            return;
        } catch (ProvisionException e) {
            log.error("event=start_failed error={}", Logfmt.quote(firstCause(e.getErrorMessages())));
            System.exit(1);
            return;
        }
        Lifecycle lifecycle = injector.getInstance(Lifecycle.class);
        Shutdown shutdown = new Shutdown(lifecycle);
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown"));
        try {
            lifecycle.start();
        } catch (Exception e) {
            shutdown.exitWith(1);
            System.exit(1);
            return;
        }
        log.info("event=started mode={} http={}:{} startup_ms={}", config.mode().wireName(), config.http().host(),
                injector.getInstance(ApiServer.class).port(),
                Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
        new CountDownLatch(1).await();
    }

    /** The jar asked something rather than told to run: the usage, the version, or a mistake (exit 2). */
    static int answer(String[] args, BuildInfo build) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(Usage.text());
            return 0;
        }
        if (args.length == 1 && args[0].equals("--version")) {
            System.out.println("presence-app " + build.version() + " (commit " + build.commit() + ")");
            return 0;
        }
        log.error("event=bad_argument arguments={} problem=\"the jar takes no argument, --help or --version\"",
                Logfmt.quote(String.join(" ", args)));
        return EXIT_CONFIG;
    }

    /** The one place the mode decides what runs. */
    static List<Module> modules(Config config) {
        if (config.mode() == Mode.EMBEDDED) return List.of(new AppModule(config), new EmbeddedModule());
        ServicesConfig services = config.services().orElseThrow();
        List<Module> modules = new ArrayList<>(List.of(new AppModule(config), new RedisModule(services.redis()),
                new RabbitModule(services.rabbit(), services.historyQueue()),
                new PostgresModule(services.postgres(), services.retention(), services.historyWriter())));
        if (services.intakes().contains(Intake.RABBITMQ)) modules.add(new RabbitIntakeModule(services.rabbit()));
        if (services.intakes().contains(Intake.BULLMQ)) modules.add(new BullMqModule(services.bullmq()));
        return modules;
    }

    /** What a part threw while being built (a broker that refuses the connection, ...), in one line. */
    private static String firstCause(java.util.Collection<com.google.inject.spi.Message> errors) {
        for (com.google.inject.spi.Message error : errors)
            if (error.getCause() != null)
                return error.getCause().getClass().getSimpleName() + ": " + error.getCause().getMessage();
        return errors.isEmpty() ? "unknown" : errors.iterator().next().getMessage();
    }

    /**
     * Runs when the JVM is asked to stop (SIGTERM, SIGINT, or {@code System.exit}): stops the
     * parts and halts with 0, or 1 if that fails or takes longer than the budget.
     */
    static final class Shutdown implements Runnable {
        private final Lifecycle lifecycle;
        private volatile int forcedStatus = -1;

        Shutdown(Lifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        /** The status to exit with whatever happens (start failed). */
        void exitWith(int status) {
            forcedStatus = status;
        }

        @Override
        public void run() {
            long begun = System.nanoTime();
            log.info("event=shutdown_started budget_s={}", SHUTDOWN_SECONDS);
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(Duration.ofSeconds(SHUTDOWN_SECONDS).toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                log.error("event=shutdown_timeout budget_s={} exit=1", SHUTDOWN_SECONDS);
                Runtime.getRuntime().halt(1);
            }, "shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            boolean clean = lifecycle.stop();
            int status = forcedStatus >= 0 ? forcedStatus : clean ? 0 : 1;
            log.info("event=shutdown_complete clean={} duration_ms={} exit={}", clean,
                    Duration.ofNanos(System.nanoTime() - begun).toMillis(), status);
            Runtime.getRuntime().halt(status);
        }
    }
}
