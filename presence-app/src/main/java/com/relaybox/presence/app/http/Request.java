package com.relaybox.presence.app.http;

import java.io.InputStream;
import java.util.Optional;

/** A request as the server received it; the path and query still percent-encoded. */
public record Request(String method, String rawPath, Optional<String> rawQuery, Optional<String> authorization,
                      InputStream body) {
}
