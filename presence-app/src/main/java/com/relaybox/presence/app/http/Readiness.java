package com.relaybox.presence.app.http;

import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.HealthCheck;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health/ready}: asks every component at once, each for at most {@value #TIMEOUT_MS} ms,
 * so one that hangs cannot hold the answer. The service is as well as its worst component, and
 * unready only when one is DOWN: DEGRADED still serves.
 */
final class Readiness {
    private static final long TIMEOUT_MS = 2_000;

    private final List<HealthCheck> checks;
    private final ExecutorService executor;

    Readiness(Set<HealthCheck> checks, ExecutorService executor) {
        this.checks = checks.stream().sorted(Comparator.comparing(HealthCheck::component)).toList();
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    Response answer() {
        Map<String, CompletableFuture<Health>> answers = new LinkedHashMap<>();
        for (HealthCheck check : checks)
            answers.put(check.component(), CompletableFuture.supplyAsync(check::check, executor)
                    .completeOnTimeout(Health.down("no answer within " + TIMEOUT_MS + " ms"), TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> Health.down("check failed: " + e.getCause())));
        Map<String, Health> states = new TreeMap<>();
        answers.forEach((component, answer) -> states.put(component, answer.join()));
        Health.Status overall = Health.Status.UP;
        for (Health health : states.values())
            if (health.status().compareTo(overall) > 0) overall = health.status();
        return Response.json(overall == Health.Status.DOWN ? 503 : 200, Views.readiness(overall, states));
    }
}
