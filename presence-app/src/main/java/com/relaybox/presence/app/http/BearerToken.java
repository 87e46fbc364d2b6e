package com.relaybox.presence.app.http;

import com.relaybox.presence.app.config.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** {@code PRESENCE_API_TOKEN} checked against a request's {@code Authorization} header; without one, all may pass. */
final class BearerToken {
    private final Optional<byte[]> digest;

    BearerToken(Optional<Secret> token) {
        this.digest = token.map(secret -> sha256(secret.reveal()));
    }

    boolean admits(Optional<String> authorization) {
        if (digest.isEmpty()) return true;
        String given = authorization.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim()).orElse("");
        // Digests have one length, so the comparison takes the same time whatever was sent.
        return MessageDigest.isEqual(sha256(given), digest.get());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
