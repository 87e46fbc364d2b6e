package com.relaybox.presence.adapter.redis;

import com.relaybox.presence.core.domain.JobId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class JobMemoryShortenerTest {
    private final List<List<JobId>> sent = Collections.synchronizedList(new ArrayList<>());

    @Test
    void whatSeveralShardsAcknowledgeTogetherGoesAsOnePipeline() throws InterruptedException {
        CountDownLatch first = new CountDownLatch(1);
        try (JobMemoryShortener shortener = new JobMemoryShortener("test", jobs -> {
            sent.add(jobs);
            first.countDown();
        }, Duration.ofSeconds(5))) {
            // Within one linger: the first offer starts it, the others join while it gathers.
            for (int shard = 0; shard < 8; shard++) shortener.offer(ids("shard" + shard + "-", 100));

            assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sent).hasSize(1);
            assertThat(sent.get(0)).hasSize(800).startsWith(new JobId("shard0-0")).endsWith(new JobId("shard7-99"));
        }
    }

    @Test
    void closingSendsWhatIsPendingAndTakesNoMore() {
        JobMemoryShortener shortener = new JobMemoryShortener("test", sent::add, Duration.ofSeconds(5));
        shortener.offer(ids("a", 3));

        shortener.close();
        shortener.offer(ids("late", 1));

        assertThat(sent).containsExactly(ids("a", 3));
    }

    @Test
    void pastTheBoundIdsAreLeftToTheLongMemoryNotQueued() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        try (JobMemoryShortener shortener = new JobMemoryShortener("test", jobs -> {
            sent.add(jobs);
            awaitQuietly(release);    // Redis slow: the first pipeline does not come back yet
        }, Duration.ofSeconds(5))) {
            shortener.offer(ids("first", 1));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sent.isEmpty() && System.nanoTime() < deadline) Thread.sleep(1); // until it is in Redis's hands

            shortener.offer(ids("kept", JobMemoryShortener.MOST_PENDING));
            shortener.offer(ids("over", 1));
            release.countDown();
        }

        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)).hasSize(JobMemoryShortener.MOST_PENDING).doesNotContain(new JobId("over0"));
    }

    private static List<JobId> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> new JobId(prefix + i)).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
