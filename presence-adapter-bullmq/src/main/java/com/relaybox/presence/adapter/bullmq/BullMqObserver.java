package com.relaybox.presence.adapter.bullmq;

/**
 * What {@link BullMqIntake} tells about its work, for metrics. Called on the intake's threads: keep
 * it quick. An exception thrown here is logged and otherwise ignored.
 */
public interface BullMqObserver {

    BullMqObserver NONE = new BullMqObserver() {
    };

    /** {@code jobs} moved from wait to active under this instance's lock. */
    default void taken(int jobs) {
    }

    /** Jobs moved to completed (or removed as their removeOnComplete asks) and to failed (§6 rejections). */
    default void finished(int completed, int failed) {
    }

    /** A batch failed for a dependency (or an unexpected error) and is retried after {@code backoffMillis}. */
    default void retrying(Throwable cause, long backoffMillis) {
    }

    /** A job finished {@code millis} after it was enqueued (its BullMQ {@code timestamp}). */
    default void jobLatency(long millis) {
    }
}
