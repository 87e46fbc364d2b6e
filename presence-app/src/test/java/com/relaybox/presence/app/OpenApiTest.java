package com.relaybox.presence.app;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import com.relaybox.presence.app.config.Config;
import com.relaybox.presence.app.config.Env;
import com.relaybox.presence.app.http.Api;
import com.relaybox.presence.app.http.ApiServer;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document served at {@code /openapi.json} against the API as it answers: every route is in
 * it, and real responses of every route (successes and the errors that exist) are valid by it,
 * checked by Atlassian's swagger-request-validator. Embedded mode, over real HTTP.
 */
class OpenApiTest {
    private static final String ROOM = "app1:chat:lobby";
    private final HttpClient client = HttpClient.newHttpClient();
    private final Set<String> answered = new TreeSet<>();
    private Lifecycle lifecycle;
    private Api api;
    private int port;
    private OpenAPI document;
    private OpenApiInteractionValidator validator;

    private void start(Map<String, String> variables, Module... extra) throws Exception {
        Map<String, String> env = new HashMap<>(variables);
        env.put("PRESENCE_HTTP_PORT", "0");
        Injector injector = Guice.createInjector(Modules.combine(
                Modules.combine(Main.modules(Config.from(Env.of(env)))), Modules.combine(extra)));
        lifecycle = injector.getInstance(Lifecycle.class);
        lifecycle.start();
        port = injector.getInstance(ApiServer.class).port();
        api = injector.getInstance(Api.class);
        HttpResponse<String> served = send("GET", "/openapi.json", null);
        assertThat(served.statusCode()).isEqualTo(200);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIParser().readContents(served.body(), null, options);
        assertThat(parsed.getMessages()).as("the served document parses as OpenAPI 3 without complaint").isEmpty();
        document = parsed.getOpenAPI();
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(served.body()).build();
        valid("GET", "/openapi.json", served);
    }

    @AfterEach
    void stop() {
        if (lifecycle != null) lifecycle.stop();
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) request.headers(headers);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Fails unless the document describes this answer of this route exactly. */
    private HttpResponse<String> valid(String method, String pathAndQuery, HttpResponse<String> response) {
        String path = pathAndQuery.replaceFirst("\\?.*", "");
        SimpleResponse.Builder answer = SimpleResponse.Builder.status(response.statusCode()).withBody(response.body());
        response.headers().map().forEach(answer::withHeader);
        response.headers().firstValue("Content-Type").ifPresent(answer::withContentType);
        ValidationReport report = validator.validateResponse(path, Request.Method.valueOf(method), answer.build());
        assertThat(report.getMessages()).as(method + " " + pathAndQuery + " answered " + response.statusCode() + " "
                + response.body()).isEmpty();
        answered.add(method + " " + response.statusCode());
        return response;
    }

    private HttpResponse<String> valid(String method, String pathAndQuery, String body, int status, String... headers)
            throws IOException, InterruptedException {
        HttpResponse<String> response = valid(method, pathAndQuery, send(method, pathAndQuery, body, headers));
        assertThat(response.statusCode()).as(method + " " + pathAndQuery + ": " + response.body()).isEqualTo(status);
        return response;
    }

    /** Answers to no route of the document (404, 405): their body is still the document's Error. */
    private void validError(HttpResponse<String> response) {
        ValidationReport report = new SchemaValidator(document, new MessageResolver())
                .validate(response.body(), document.getComponents().getSchemas().get("Error"), "response.body");
        assertThat(report.getMessages()).as(response.body()).isEmpty();
    }

    @Test
    void theDocumentNamesEveryRouteTheApiHasAndNoOther() throws Exception {
        start(Map.of());
        Set<String> documented = new HashSet<>();
        document.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> documented.add(method.name() + " " + path.replaceAll("\\{[^}]+}", "{}"))));
        Set<String> routes = new HashSet<>();
        for (String route : api.routes()) routes.add(route.replaceAll("\\{[^}]+}", "{}"));
        assertThat(documented).isEqualTo(routes);
    }

    @Test
    void everyRouteAnswersAsDocumented() throws Exception {
        // Bodies over 64 B + 256 KiB are a 413; one just over leaves little unread, so the answer is not lost to a reset.
        start(Map.of("PRESENCE_MAX_DATA_BYTES", "64"));
        valid("GET", "/health/live", null, 200);
        valid("GET", "/health/ready", null, 200);
        valid("GET", "/metrics", null, 200);

        String join = EmbeddedApiTest.job("presence:join", "job-1", ROOM, "app1:conn-1", "{\"status\":\"online\"}");
        valid("POST", "/v1/jobs", join, 202);
        assertThat(valid("POST", "/v1/jobs", join, 202).body()).contains("\"ignored\"", "\"reason\"");
        valid("POST", "/v1/jobs", EmbeddedApiTest.job("presence:dance", "job-2", ROOM, "app1:conn-1", "{}"), 400);
        valid("POST", "/v1/jobs", "{\"type\":\"presence:join\"}", 400);
        valid("POST", "/v1/jobs", "{\"type\":\"presence:join\",\"id\":\"big\",\"data\":\"" + "x".repeat(64 + 256 * 1024) + "\"}", 413);

        assertThat(valid("GET", "/v1/rooms/" + ROOM + "/members", null, 200).body()).contains("app1:conn-1");
        valid("GET", "/v1/rooms/" + ROOM + "/members?limit=1", null, 200);
        valid("GET", "/v1/rooms/" + ROOM + "/members?limit=0", null, 400);
        valid("GET", "/v1/rooms/nocolon/members", null, 400);
        valid("GET", "/v1/rooms/" + ROOM + "/count", null, 200);
        valid("GET", "/v1/connections/app1:conn-1/rooms", null, 200);
        assertThat(valid("GET", "/v1/rooms/" + ROOM + "/history?limit=10", null, 200).body()).contains("job-1");
        valid("GET", "/v1/rooms/" + ROOM + "/history?from=2024-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", null, 200);
        valid("GET", "/v1/rooms/" + ROOM + "/history?from=yesterday", null, 400);

        HttpResponse<String> unknown = send("GET", "/v2/anything", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        validError(unknown);
        HttpResponse<String> wrongMethod = send("DELETE", "/v1/jobs", null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
        validError(wrongMethod);

        assertThat(answered).containsAll(List.of("GET 200", "GET 400", "POST 202", "POST 400", "POST 413"));
    }

    @Test
    void unreadyAndUnauthorizedAnswersAreDocumentedToo() throws Exception {
        start(Map.of("PRESENCE_API_TOKEN", "s3cret"), EmbeddedApiTest.check("broker", Health.down("gone")));
        valid("GET", "/health/ready", null, 503);
        valid("GET", "/v1/rooms/" + ROOM + "/count", null, 401);
        valid("POST", "/v1/jobs", "{}", 401);
        valid("GET", "/v1/rooms/" + ROOM + "/count", null, 200, "Authorization", "Bearer s3cret");
    }
}
