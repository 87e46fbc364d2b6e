package com.relaybox.presence.adapter.bullmq;

import java.time.Duration;

/**
 * This instance's hold on the queue, as far as it can be sure of it: the token Redis holds in the
 * lease key, its epoch, and until when it is certainly still ours. That is the time the command
 * that set or extended it was sent, plus the lease's duration, less a tenth for safety: Redis
 * cannot let it lapse (and another instance cannot take it) before then, so a holder cut off from
 * Redis stops holding, in its own eyes, before anyone else can start.
 */
final class Lease {
    /** A token is {@code presence:<epoch>:<instance>}. */
    record Held(String token, long epoch, long validUntilNanos) {
        boolean valid() {
            return System.nanoTime() - validUntilNanos < 0;
        }
    }

    private final long lastingNanos;
    private volatile Held held;

    Lease(Duration duration) {
        this.lastingNanos = duration.toNanos() - duration.toNanos() / 10;
    }

    /** The lease, while certainly still ours; else null. */
    Held current() {
        Held now = held;
        return now != null && now.valid() ? now : null;
    }

    boolean holds(long epoch) {
        Held now = current();
        return now != null && now.epoch() == epoch;
    }

    Held took(String token, long sentAtNanos) {
        String[] parts = token.split(":", 3);
        Held taken = new Held(token, Long.parseLong(parts[1]), sentAtNanos + lastingNanos);
        held = taken;
        return taken;
    }

    synchronized void renewed(String token, long sentAtNanos) {
        Held now = held;
        if (now != null && now.token().equals(token))
            held = new Held(token, now.epoch(), Math.max(now.validUntilNanos(), sentAtNanos + lastingNanos));
    }

    synchronized void lost(String token) {
        Held now = held;
        if (now != null && now.token().equals(token)) held = null;
    }
}
