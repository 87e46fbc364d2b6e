package com.relaybox.presence.adapter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.relaybox.presence.core.domain.RawJob;

import java.util.Date;
import java.util.Map;

/** One delivery of a shard queue, as the worker keeps it until it is acknowledged. */
record JobDelivery(long tag, String routingKey, AMQP.BasicProperties properties, byte[] body, boolean redelivered) {

    RawJob raw() {
        return new RawJob(properties.getType(), properties.getMessageId(), body, redelivered);
    }

    /** When the producer published it, in ms since the epoch; 0 when it did not say. */
    long publishedAtMillis() {
        Map<String, Object> headers = properties.getHeaders();
        Object millis = headers == null ? null : headers.get(PresenceJobPublisher.TIMESTAMP_MS_HEADER);
        if (millis instanceof Number number) return number.longValue();
        Date timestamp = properties.getTimestamp();
        return timestamp == null ? 0 : timestamp.getTime();
    }
}
