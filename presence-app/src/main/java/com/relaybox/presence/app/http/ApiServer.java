package com.relaybox.presence.app.http;

import com.relaybox.presence.app.Managed;
import com.relaybox.presence.app.config.HttpConfig;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** Serves the {@link Api} with the JDK's HTTP server; the first part to stop at shutdown. */
public final class ApiServer implements Managed {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final int THREADS = 8;
    private static final long DRAIN_MILLIS = 2_000;

    private final HttpConfig config;
    private final Api api;
    private HttpServer server;
    private ExecutorService executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;

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
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
        } catch (BindException e) {
            executor.shutdownNow();
            // The JDK says only "Address already in use"; the operator needs to know which.
            throw new BindException("cannot listen on " + config.host() + ":" + config.port() + " (PRESENCE_HTTP_HOST, "
                    + "PRESENCE_HTTP_PORT): " + e.getMessage());
        }
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
        inFlight.incrementAndGet();
        try (exchange) {
            Response response = stopping
                    ? Response.error(503, "the service is shutting down")
                    : api.handle(new Request(exchange.getRequestMethod(),
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
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Answers 503 to anything new, lets the requests in progress finish (a job being applied or
     * published: at most {@value #DRAIN_MILLIS} ms), then closes the server and frees the threads.
     */
    @Override
    public synchronized void stop() throws InterruptedException {
        if (server == null) return;
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        server.stop(0);
        executor.shutdown();
        if (!executor.awaitTermination(1, TimeUnit.SECONDS)) executor.shutdownNow();
    }
}
