package com.relaybox.presence.adapter.bullmq;

import com.relaybox.presence.core.domain.RawJob;

/**
 * One job as {@code take.lua} moved it to active.
 *
 * @param id          BullMQ's job id (the queue's counter)
 * @param name        the job's name: the CONTRACT §2 type
 * @param data        the job's data as stored, expected to be the §2 body in UTF-8 JSON
 * @param attempts    how often it has been taken ({@code ats}); more than once after a stall or a takeover
 * @param enqueuedAt  the job's BullMQ {@code timestamp}, ms since the epoch
 */
record TakenJob(String id, String name, byte[] data, long attempts, long enqueuedAt) {

    /**
     * The job for core. Its id is the job's Redis key ({@code queue:presence:42}), unique across
     * queues and apart from RabbitMQ's message ids. Taken before, it is a redelivery: the instance
     * that took it may have applied it without its broadcast going out.
     */
    RawJob raw(String keyBase, boolean retry) {
        return new RawJob(name, keyBase + id, data, retry || attempts > 1);
    }
}
