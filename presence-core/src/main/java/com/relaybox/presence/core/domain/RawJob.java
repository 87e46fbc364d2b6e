package com.relaybox.presence.core.domain;

import java.util.Arrays;
import java.util.Objects;

/**
 * A job as it arrives from any transport, before any check.
 *
 * @param type        the AMQP {@code type} property ({@code ""} when the transport had none)
 * @param id          the AMQP {@code message_id} ({@code ""} when the transport had none)
 * @param body        the body bytes, expected to be UTF-8 JSON
 * @param redelivered true when an earlier attempt at this very delivery may have applied it
 *                    without its broadcast going out: a broker redelivery, or the consumer's own
 *                    retry after a failure. A repeat of an applied job is broadcast again only then.
 */
public record RawJob(String type, String id, byte[] body, boolean redelivered) {
    public RawJob {
        type = type == null ? "" : type;
        id = id == null ? "" : id;
        Objects.requireNonNull(body, "body");
    }

    public RawJob asRedelivery() {
        return redelivered ? this : new RawJob(type, id, body, true);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawJob that && type.equals(that.type) && id.equals(that.id)
                && Arrays.equals(body, that.body) && redelivered == that.redelivered;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, id, Arrays.hashCode(body), redelivered);
    }

    @Override
    public String toString() {
        return "RawJob[type=" + type + ", id=" + id + ", " + body.length + " bytes, redelivered=" + redelivered + "]";
    }
}
