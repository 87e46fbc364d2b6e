package com.relaybox.presence.app.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a request's handler by its method and a path template such as
 * {@code /v1/rooms/{room}/count}; answers 404 when no template fits the path, 405 when only the
 * method is wrong.
 */
final class Router {

    @FunctionalInterface
    interface Handler {
        /** @param params the template's {@code {names}} and the path segments they matched */
        Response handle(Request request, Map<String, String> params);
    }

    private final List<Route> routes = new ArrayList<>();

    Router route(String method, String template, Handler handler) {
        routes.add(new Route(method, List.of(template.substring(1).split("/")), handler));
        return this;
    }

    /** Each route as {@code METHOD /template}, in the order they were added. */
    List<String> routes() {
        return routes.stream().map(route -> route.method + " /" + String.join("/", route.template)).toList();
    }

    /** @param path the request's path as {@link #segments} splits it */
    Response dispatch(Request request, List<String> path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = route.match(path);
            if (params.isEmpty()) continue;
            if (route.method.equals(request.method())) return route.handler.handle(request, params.get());
            allowed.add(route.method);
        }
        if (!allowed.isEmpty())
            return Response.error(405, request.method() + " is not allowed on " + request.rawPath() + "; use "
                    + String.join(", ", allowed)).withHeader("Allow", String.join(", ", allowed));
        return Response.error(404, "no such route: " + request.method() + " " + request.rawPath());
    }

    /** Splits before decoding, so an encoded {@code /} in a room id stays inside its segment. */
    static List<String> segments(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') throw new BadRequest("path must start with '/'");
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.substring(1).split("/", -1)) segments.add(PercentDecoding.decode(raw, "path"));
        return segments;
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
}
