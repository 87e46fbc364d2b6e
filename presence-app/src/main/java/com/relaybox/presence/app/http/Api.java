package com.relaybox.presence.app.http;

import com.relaybox.presence.app.HealthCheck;
import com.relaybox.presence.app.config.Secret;
import com.relaybox.presence.app.metrics.Metrics;
import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.InvalidJobException;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.json.JobEnvelope;
import com.relaybox.presence.core.port.in.CountRoomMembers;
import com.relaybox.presence.core.port.in.GetConnectionRooms;
import com.relaybox.presence.core.port.in.GetRoomHistory;
import com.relaybox.presence.core.port.in.GetRoomMembers;
import com.relaybox.presence.core.port.in.HistoryQuery;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The HTTP API, independent of the server that carries it: its routes, the bearer token on
 * {@code /v1}, and the status each failure is answered with. Inputs are checked by the core values
 * they become; an {@link IllegalArgumentException} from one is the caller's mistake, a 400.
 */
public final class Api {
    private static final Logger log = LoggerFactory.getLogger(Api.class);
    /** HTTP's own bound on one answer; an embedder reading members has none. */
    private static final int MAX_MEMBERS_LIMIT = 10_000;

    /** What the API reads and where it hands jobs. */
    public record Ports(GetRoomMembers members, CountRoomMembers counts, GetConnectionRooms rooms,
                        GetRoomHistory history, JobIntake intake, Optional<HeartbeatIntake> heartbeats) {
        public Ports {
            Objects.requireNonNull(heartbeats, "heartbeats");
            Objects.requireNonNull(members, "members");
            Objects.requireNonNull(counts, "counts");
            Objects.requireNonNull(rooms, "rooms");
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(intake, "intake");
        }
    }

    /** The document of every route, kept in the repository beside the code (a test holds the two together). */
    private static final byte[] OPENAPI = resource("/openapi.json");

    private final Ports ports;
    private final BearerToken token;
    private final int maxBodyBytes;
    private final Router router;

    /**
     * @param maxBodyBytes the largest {@code POST /v1/jobs} body read; larger is answered 413
     * @param healthExecutor runs the readiness checks side by side, each bounded in time
     */
    public Api(Ports ports, Metrics metrics, Set<HealthCheck> checks, Optional<Secret> apiToken, int maxBodyBytes,
               ExecutorService healthExecutor) {
        this.ports = Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(metrics, "metrics");
        this.token = new BearerToken(apiToken);
        this.maxBodyBytes = maxBodyBytes;
        Readiness readiness = new Readiness(checks, healthExecutor);
        this.router = new Router()
                .route("GET", "/health/live", (request, params) -> Response.json(200, Views.live()))
                .route("GET", "/health/ready", (request, params) -> readiness.answer())
                .route("GET", "/metrics", (request, params) -> new Response(200, Metrics.CONTENT_TYPE,
                        metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of()))
                .route("GET", "/openapi.json", (request, params) -> new Response(200, "application/json", OPENAPI, Map.of()))
                .route("GET", "/v1/rooms/{room}/members", this::members)
                .route("GET", "/v1/rooms/{room}/count", this::count)
                .route("GET", "/v1/rooms/{room}/history", this::history)
                .route("GET", "/v1/connections/{connection}/rooms", this::connectionRooms)
                .route("POST", "/v1/connections/{connection}/heartbeat", this::heartbeat)
                .route("POST", "/v1/jobs", this::submit);
    }

    /** Every route, as {@code METHOD /path/{param}}. */
    public List<String> routes() {
        return router.routes();
    }

    private static byte[] resource(String name) {
        try (InputStream in = Api.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response handle(Request request) {
        try {
            List<String> path = Router.segments(request.rawPath());
            if (path.get(0).equals("v1") && !token.admits(request.authorization()))
                return Response.error(401, "missing or wrong bearer token: send 'Authorization: Bearer <PRESENCE_API_TOKEN>'")
                        .withHeader("WWW-Authenticate", "Bearer realm=\"presence\"");
            return router.dispatch(request, path);
        } catch (BadRequest | InvalidJobException | IllegalArgumentException e) {
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

    private Response members(Request request, Map<String, String> params) {
        NspRoomId room = NspRoomId.parse(params.get("room"));
        OptionalInt limit = Query.parse(request.rawQuery()).wholeNumber("limit", 1, MAX_MEMBERS_LIMIT);
        return Response.json(200, Views.members(ports.members().members(room, limit)));
    }

    private Response count(Request request, Map<String, String> params) {
        NspRoomId room = NspRoomId.parse(params.get("room"));
        return Response.json(200, Views.count(ports.counts().count(room)));
    }

    private Response connectionRooms(Request request, Map<String, String> params) {
        ConnectionId connection = new ConnectionId(params.get("connection"));
        return Response.json(200, Views.rooms(ports.rooms().rooms(connection)));
    }

    private Response heartbeat(Request request, Map<String, String> params) {
        ConnectionId connection = new ConnectionId(params.get("connection"));
        if (ports.heartbeats().isEmpty())
            return Response.error(404, "heartbeats are recorded over HTTP in embedded mode only; in services mode "
                    + "RelayBox's session service writes them to Redis (PRESENCE_HEARTBEAT_KEY)");
        return Response.json(200, Views.heartbeat(connection, ports.heartbeats().get().heartbeat(connection)));
    }

    private Response history(Request request, Map<String, String> params) {
        NspRoomId room = NspRoomId.parse(params.get("room"));
        Query query = Query.parse(request.rawQuery());
        HistoryQuery selected = HistoryQuery.parse(query.get("from"), query.get("to"), query.get("limit"));
        return Response.json(200, Views.history(ports.history().history(room, selected)));
    }

    /** {@code {"type": "presence:join", "id": "...", "data": {...}}}: read and checked by core as any job is. */
    private Response submit(Request request, Map<String, String> params) {
        RawJob job = JobEnvelope.read(readBody(request.body()));
        Submission submission = ports.intake().submit(job);
        if (submission.status() == Submission.Status.REJECTED)
            return Response.error(400, submission.reason().orElseThrow());
        return Response.json(202, Views.submission(job.id(), submission));
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

    private static String quote(String value) {
        return '"' + value.replace("\"", "'").replaceAll("[\\r\\n]+", " ") + '"';
    }

    /** Thrown while reading a body over the limit; answered 413. */
    private static final class PayloadTooLarge extends RuntimeException {
        PayloadTooLarge(int limit) {
            super("request body is over " + limit + " bytes", null, false, false);
        }
    }
}
