package com.relaybox.presence.app.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import com.relaybox.presence.app.Health;
import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.config.Secret;
import com.relaybox.presence.app.metrics.Metrics;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.domain.Timestamps;
import com.relaybox.presence.core.json.PresenceJson;
import com.relaybox.presence.core.port.in.CountRoomMembers;
import com.relaybox.presence.core.port.in.GetConnectionRooms;
import com.relaybox.presence.core.port.in.GetRoomHistory;
import com.relaybox.presence.core.port.in.GetRoomMembers;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP API, independent of the server that carries it: routes a request to its handler and
 * answers JSON (or Prometheus text). Every error is JSON {@code {"error": "..."}}.
 */
public final class Api {
    private static final Logger log = LoggerFactory.getLogger(Api.class);
    static final String JSON = "application/json";
    /** History's {@code from} and {@code to} when not given: everything. */
    static final Instant EARLIEST = Instant.EPOCH;
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
    static final int MAX_MEMBERS_LIMIT = 10_000;
    private static final long HEALTH_TIMEOUT_MS = 2_000;

    /** What the API reads and where it hands jobs. */
    public record Ports(GetRoomMembers members, CountRoomMembers counts, GetConnectionRooms rooms,
                        GetRoomHistory history, JobIntake intake) {
        public Ports {
            Objects.requireNonNull(members, "members");
            Objects.requireNonNull(counts, "counts");
            Objects.requireNonNull(rooms, "rooms");
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(intake, "intake");
        }
    }

    /** A request as the server received it; the path and query still percent-encoded. */
    public record Request(String method, String rawPath, Optional<String> rawQuery, Optional<String> authorization,
                          InputStream body) {
    }

    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, String json) {
            return new Response(status, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        static Response error(int status, String message) {
            return json(status, object(w -> w.name("error").value(message)));
        }

        Response withHeader(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put(name, value);
            return new Response(status, contentType, body, Map.copyOf(all));
        }
    }

    private final Ports ports;
    private final Metrics metrics;
    private final List<HealthCheck> checks;
    private final Optional<byte[]> tokenDigest;
    private final int maxBodyBytes;
    private final ExecutorService healthExecutor;
    private final List<Route> routes = new ArrayList<>();

    /**
     * @param maxBodyBytes the largest {@code POST /v1/jobs} body read; larger is answered 413
     * @param healthExecutor runs the readiness checks side by side, each bounded in time
     */
    public Api(Ports ports, Metrics metrics, Set<HealthCheck> checks, Optional<Secret> apiToken, int maxBodyBytes,
               ExecutorService healthExecutor) {
        this.ports = Objects.requireNonNull(ports, "ports");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.checks = checks.stream().sorted(java.util.Comparator.comparing(HealthCheck::component)).toList();
        this.tokenDigest = apiToken.map(token -> sha256(token.reveal()));
        this.maxBodyBytes = maxBodyBytes;
        this.healthExecutor = Objects.requireNonNull(healthExecutor, "healthExecutor");
        route("GET", "/health/live", (request, params) -> Response.json(200, "{\"status\":\"UP\"}"));
        route("GET", "/health/ready", (request, params) -> ready());
        route("GET", "/metrics", (request, params) ->
                new Response(200, Metrics.CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of()));
        route("GET", "/v1/rooms/{room}/members", this::members);
        route("GET", "/v1/rooms/{room}/count", this::count);
        route("GET", "/v1/rooms/{room}/history", this::history);
        route("GET", "/v1/connections/{connection}/rooms", this::connectionRooms);
        route("POST", "/v1/jobs", this::submit);
    }

    public Response handle(Request request) {
        try {
            List<String> segments = segments(request.rawPath());
            if (isV1(segments) && !authorized(request.authorization()))
                return Response.error(401, "missing or wrong bearer token: send 'Authorization: Bearer <PRESENCE_API_TOKEN>'")
                        .withHeader("WWW-Authenticate", "Bearer realm=\"presence\"");
            Set<String> allowed = new LinkedHashSet<>();
            for (Route route : routes) {
                Optional<Map<String, String>> params = route.match(segments);
                if (params.isEmpty()) continue;
                if (route.method.equals(request.method())) return route.handler.handle(request, params.get());
                allowed.add(route.method);
            }
            if (!allowed.isEmpty())
                return Response.error(405, request.method() + " is not allowed on " + request.rawPath() + "; use "
                        + String.join(", ", allowed)).withHeader("Allow", String.join(", ", allowed));
            return Response.error(404, "no such route: " + request.method() + " " + request.rawPath());
        } catch (BadRequest | IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        } catch (PayloadTooLarge e) {
            return Response.error(413, e.getMessage());
        } catch (DependencyUnavailableException e) {
            log.warn("event=request_failed method={} path={} error={}", request.method(), request.rawPath(),
                    quote(String.valueOf(e.getMessage())));
            return Response.error(503, "a dependency is unavailable: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("event=request_failed method={} path={}", request.method(), request.rawPath(), e);
            return Response.error(500, "internal error");
        }
    }

    private Response ready() {
        Map<String, CompletableFuture<Health>> answers = new LinkedHashMap<>();
        for (HealthCheck check : checks)
            answers.put(check.component(), CompletableFuture.supplyAsync(check::check, healthExecutor)
                    .completeOnTimeout(Health.down("no answer within " + HEALTH_TIMEOUT_MS + " ms"),
                            HEALTH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> Health.down("check failed: " + e.getCause())));
        Map<String, Health> states = new TreeMap<>();
        answers.forEach((component, answer) -> states.put(component, answer.join()));
        Health.Status overall = Health.Status.UP;
        for (Health health : states.values())
            if (health.status().compareTo(overall) > 0) overall = health.status();
        Health.Status status = overall;
        String body = object(w -> {
            w.name("status").value(status.name());
            w.name("components").beginObject();
            for (Map.Entry<String, Health> entry : states.entrySet()) {
                w.name(entry.getKey()).beginObject();
                w.name("status").value(entry.getValue().status().name());
                w.name("detail").value(entry.getValue().detail());
                w.endObject();
            }
            w.endObject();
        });
        return Response.json(status == Health.Status.DOWN ? 503 : 200, body);
    }

    private Response members(Request request, Map<String, String> params) {
        NspRoomId room = NspRoomId.parse(params.get("room"));
        Map<String, String> query = query(request);
        OptionalInt limit = intParam(query, "limit", 1, MAX_MEMBERS_LIMIT);
        List<Member> members = ports.members().members(room, limit);
        return Response.json(200, array(w -> {
            for (Member member : members) w.jsonValue(PresenceJson.member(member));
        }));
    }

    private Response count(Request request, Map<String, String> params) {
        NspRoomId room = NspRoomId.parse(params.get("room"));
        long count = ports.counts().count(room);
        return Response.json(200, object(w -> w.name("count").value(count)));
    }

    private Response connectionRooms(Request request, Map<String, String> params) {
        ConnectionId connection = new ConnectionId(params.get("connection"));
        List<NspRoomId> rooms = ports.rooms().rooms(connection);
        return Response.json(200, array(w -> {
            for (NspRoomId room : rooms) w.value(room.toString());
        }));
    }

    private Response history(Request request, Map<String, String> params) {
        NspRoomId room = NspRoomId.parse(params.get("room"));
        Map<String, String> query = query(request);
        Instant from = instantParam(query, "from").orElse(EARLIEST);
        Instant to = instantParam(query, "to").orElse(LATEST);
        if (!from.isBefore(to)) throw new BadRequest("from (" + from + ") must be before to (" + to + ")");
        OptionalInt limit = intParam(query, "limit", 1, GetRoomHistory.MAX_LIMIT);
        List<HistoryRecord> records = ports.history().history(room, from, to, limit);
        return Response.json(200, array(w -> {
            for (HistoryRecord record : records) {
                w.beginObject();
                w.name("jobId").value(record.jobId().value());
                w.name("eventIndex").value(record.eventIndex());
                w.name("nspRoomId").value(record.room().toString());
                w.name("connectionId").value(record.connectionId().value());
                w.name("clientId");
                if (record.clientId().isPresent()) w.value(record.clientId().get());
                else w.nullValue();
                w.name("event").value(record.event().wireName());
                w.name("data").jsonValue(record.dataJson());
                w.name("user").jsonValue(record.userJson());
                w.name("timestamp").value(Timestamps.format(record.timestamp()));
                w.endObject();
            }
        }));
    }

    /** {@code {"type": "presence:join", "id": "...", "data": {...}}}: checked by core as any job is. */
    private Response submit(Request request, Map<String, String> params) {
        JsonObject envelope = envelope(readBody(request.body()));
        String type = stringField(envelope, "type");
        String id = stringField(envelope, "id");
        JsonElement data = envelope.get("data");
        byte[] body = (data == null ? "null" : data.toString()).getBytes(StandardCharsets.UTF_8);
        Submission submission = ports.intake().submit(new RawJob(type, id, body, false));
        if (submission.status() == Submission.Status.REJECTED)
            return Response.error(400, submission.reason().orElseThrow());
        return Response.json(202, object(w -> {
            w.name("id").value(id);
            w.name("status").value(submission.status().name().toLowerCase(java.util.Locale.ROOT));
            if (submission.reason().isPresent()) w.name("reason").value(submission.reason().get());
        }));
    }

    private byte[] readBody(InputStream in) {
        try {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) throw new PayloadTooLarge(maxBodyBytes);
            return body;
        } catch (IOException e) {
            throw new BadRequest("could not read the request body: " + e.getMessage());
        }
    }

    private static JsonObject envelope(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest("body is not valid UTF-8");
        }
        JsonElement element;
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            element = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("text after the JSON value");
        } catch (JsonParseException | IOException e) {
            throw new BadRequest("body is not JSON: expected {\"type\": \"presence:join\", \"id\": \"...\", \"data\": {...}}");
        }
        if (!element.isJsonObject())
            throw new BadRequest("body must be a JSON object {\"type\": ..., \"id\": ..., \"data\": {...}}");
        return element.getAsJsonObject();
    }

    /** A string member of the envelope, {@code ""} when absent (core then names what is missing). */
    private static String stringField(JsonObject envelope, String name) {
        JsonElement element = envelope.get(name);
        if (element == null || element.isJsonNull()) return "";
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString())
            throw new BadRequest("'" + name + "' must be a string");
        return element.getAsString();
    }

    private boolean authorized(Optional<String> header) {
        if (tokenDigest.isEmpty()) return true;
        String given = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim()).orElse("");
        // Digests have one length, so the comparison takes the same time whatever was sent.
        return MessageDigest.isEqual(sha256(given), tokenDigest.get());
    }

    private static boolean isV1(List<String> segments) {
        return !segments.isEmpty() && segments.get(0).equals("v1");
    }

    private static List<String> segments(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') throw new BadRequest("path must start with '/'");
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.substring(1).split("/", -1)) segments.add(PercentDecoding.decode(raw, "path"));
        return segments;
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> params = new HashMap<>();
        if (request.rawQuery().isEmpty()) return params;
        for (String pair : request.rawQuery().get().split("&")) {
            if (pair.isEmpty()) continue;
            int equals = pair.indexOf('=');
            String name = PercentDecoding.decode(equals < 0 ? pair : pair.substring(0, equals), "query");
            String value = equals < 0 ? "" : PercentDecoding.decode(pair.substring(equals + 1), "query parameter " + name);
            if (params.putIfAbsent(name, value) != null) throw new BadRequest("query parameter '" + name + "' is given twice");
        }
        return params;
    }

    private static OptionalInt intParam(Map<String, String> query, String name, int min, int max) {
        String value = query.get(name);
        if (value == null) return OptionalInt.empty();
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) return OptionalInt.of(parsed);
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadRequest(name + " must be a whole number between " + min + " and " + max + ", got '"
                + abbreviate(value) + "'");
    }

    private static Optional<Instant> instantParam(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null) return Optional.empty();
        try {
            return Optional.of(Timestamps.parse(value));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(name + " must be an ISO-8601 instant such as 2024-10-03T14:49:14.329Z, got '"
                    + abbreviate(value) + "'");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static String quote(String value) {
        return '"' + value.replace("\"", "'").replaceAll("[\\r\\n]+", " ") + '"';
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private void route(String method, String template, Handler handler) {
        routes.add(new Route(method, List.of(template.substring(1).split("/")), handler));
    }

    @FunctionalInterface
    private interface Handler {
        Response handle(Request request, Map<String, String> params);
    }

    private record Route(String method, List<String> template, Handler handler) {
        Optional<Map<String, String>> match(List<String> segments) {
            if (segments.size() != template.size()) return Optional.empty();
            Map<String, String> params = new HashMap<>();
            for (int i = 0; i < template.size(); i++) {
                String part = template.get(i);
                if (part.startsWith("{")) params.put(part.substring(1, part.length() - 1), segments.get(i));
                else if (!part.equals(segments.get(i))) return Optional.empty();
            }
            return Optional.of(params);
        }
    }

    @FunctionalInterface
    private interface JsonBody {
        void write(JsonWriter writer) throws IOException;
    }

    static String object(JsonBody body) {
        return write(w -> {
            w.beginObject();
            body.write(w);
            w.endObject();
        });
    }

    static String array(JsonBody body) {
        return write(w -> {
            w.beginArray();
            body.write(w);
            w.endArray();
        });
    }

    private static String write(JsonBody body) {
        StringWriter out = new StringWriter();
        try (JsonWriter writer = new JsonWriter(out)) {
            writer.setSerializeNulls(true);
            writer.setHtmlSafe(false);
            body.write(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Thrown while reading a body over the limit; answered 413. */
    static final class PayloadTooLarge extends RuntimeException {
        PayloadTooLarge(int limit) {
            super("request body is over " + limit + " bytes", null, false, false);
        }
    }
}
