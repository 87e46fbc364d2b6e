package com.relaybox.presence.app.http;

import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.config.HttpConfig;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Serves the {@link Api} with the JDK's HTTP server; the first part to stop at shutdown. */
public final class ApiServer implements Managed {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final int THREADS = 8;

    private final HttpConfig config;
    private final Api api;
    private HttpServer server;
    private ExecutorService executor;

    public ApiServer(HttpConfig config, Api api) {
        this.config = Objects.requireNonNull(config, "config");
        this.api = Objects.requireNonNull(api, "api");
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Phase phase() {
        return Phase.INTAKE;
    }

    @Override
    public synchronized void start() throws IOException {
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
        server.createContext("/", this::exchange);
        server.setExecutor(executor);
        server.start();
        log.info("event=http_listening address={}:{} auth={}", config.host(), port(),
                config.apiToken().isPresent() ? "bearer" : "none");
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public synchronized int port() {
        return server.getAddress().getPort();
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            Api.Response response = api.handle(new Api.Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    Optional.ofNullable(exchange.getRequestURI().getRawQuery()),
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")),
                    exchange.getRequestBody()));
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    /** Stops accepting, lets requests in progress finish (at most a second), then frees the threads. */
    @Override
    public synchronized void stop() throws InterruptedException {
        if (server == null) return;
        server.stop(1);
        executor.shutdown();
        if (!executor.awaitTermination(2, TimeUnit.SECONDS)) executor.shutdownNow();
    }
}
