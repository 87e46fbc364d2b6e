package com.relaybox.presence.core.pipeline;

import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class BatchPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Source source = new Source();
    private BatchPipeline<Integer, String> pipeline;

    @AfterEach
    void stop() throws InterruptedException {
        if (pipeline != null) {
            pipeline.stop();
            source.confirmAll();
            assertThat(pipeline.awaitStopped(WAIT)).isTrue();
        }
    }

    private void start(int maxBatch, int maxSending) {
        start(maxBatch, maxSending, maxSending);
    }

    private void start(int maxBatch, int maxSending, int maxUnacknowledged) {
        create(maxBatch, maxSending, maxUnacknowledged);
        pipeline.start();
    }

    private void create(int maxBatch, int maxSending, int maxUnacknowledged) {
        pipeline = new BatchPipeline<>("test", new BatchPipeline.Settings(maxBatch, Duration.ZERO, maxSending,
                maxUnacknowledged, Duration.ofMillis(1), Duration.ofMillis(4), 0.2, Duration.ofSeconds(1)), source, source,
                item -> 1);
    }

    private void offer(int from, int to) {
        for (int i = from; i < to; i++) pipeline.offer(i, source.epoch.get());
    }

    @Test
    void batchesAreAcknowledgedInOrderOnceConfirmedAndAtMostTheBoundAwaitConfirmation() {
        source.holdConfirms = true;
        start(1, 3);
        offer(0, 10);

        until(() -> source.startedCount() == 3);
        assertThat(source.startedCount()).as("the bound stops a fourth batch").isEqualTo(3);
        assertThat(source.acknowledged()).isEmpty();

        source.confirm(1);                       // the second, before the first: nothing may be acknowledged
        assertThat(source.acknowledged()).isEmpty();
        source.confirm(0);
        until(() -> source.acknowledged().size() == 2);
        assertThat(source.acknowledgements.get()).as("both batches with one acknowledgement").isEqualTo(1);

        source.holdConfirms = false;
        source.confirmAll();
        until(() -> source.acknowledged().size() == 10);
        assertThat(source.acknowledged()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aSentBatchLetsTheNextStartWhileItsSlowerConfirmationIsAwaitedUpToTheUnacknowledgedBound() {
        source.separateSends = true;
        source.holdConfirms = true;
        start(1, 2, 5);
        offer(0, 10);

        until(() -> source.startedCount() == 5);
        assertThat(source.startedCount()).as("sent, but at most 5 unacknowledged").isEqualTo(5);
        assertThat(source.acknowledged()).isEmpty();

        source.confirm(0);
        until(() -> source.startedCount() == 6);
        until(() -> source.acknowledged().size() == 1);
        assertThat(source.startedCount()).isEqualTo(6);

        source.holdConfirms = false;
        source.confirmAll();
        until(() -> source.acknowledged().size() == 10);
        assertThat(source.acknowledged()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void atMostTheSendingBoundAwaitTheirSentConfirmationAndTheOldestSentMakesRoom() {
        source.separateSends = true;
        source.holdSends = true;
        source.holdConfirms = true;
        start(1, 2, 8);
        offer(0, 6);

        until(() -> source.startedCount() == 2);
        assertThat(source.startedCount()).as("two sending stop a third").isEqualTo(2);

        source.send(0);                          // sent, still unconfirmed: room for one more
        until(() -> source.startedCount() == 3);
        assertThat(source.startedCount()).isEqualTo(3);
        assertThat(source.acknowledged()).isEmpty();

        source.holdSends = false;
        source.holdConfirms = false;
        source.sendAll();
        source.confirmAll();
        until(() -> source.acknowledged().size() == 6);
        assertThat(source.acknowledged()).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void aBatchThatFailedToSendStopsNewStartsUntilItAndEveryLaterOneStartAgain() {
        source.separateSends = true;
        source.holdSends = true;
        source.holdConfirms = true;
        start(1, 4, 8);
        offer(0, 2);
        until(() -> source.startedCount() == 2);

        source.send(0);
        source.failSend(1);                      // behind the first, whose confirmation is still awaited
        offer(2, 4);
        source.holdSends = false;
        source.holdConfirms = false;
        source.confirm(0);
        until(() -> source.acknowledged().size() == 4);

        List<Integer> startedItems = new ArrayList<>();
        for (BatchPipeline.Batch<Integer> batch : source.startsCopy()) startedItems.addAll(batch.items());
        assertThat(startedItems).as("nothing new started before the failed batch started again")
                .containsExactly(0, 1, 1, 2, 3);
        assertThat(source.acknowledged()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aBatchThatFailsToStartStartsAgainAsARetryWithTheSameItems() {
        source.startFailures.set(2);
        create(100, 4, 4);
        offer(0, 5);                             // all arrived before the thread runs: one batch
        pipeline.start();

        until(() -> source.acknowledged().size() == 5);
        assertThat(source.starts).hasSize(3);
        assertThat(source.starts.get(0).retry()).isFalse();
        assertThat(source.starts.get(2).retry()).isTrue();
        assertThat(source.starts.get(2).items()).isEqualTo(source.starts.get(0).items());
        assertThat(source.retries.get()).isEqualTo(2);
        assertThat(source.recoveries.get()).isEqualTo(1);
    }

    @Test
    void aFailedConfirmationStartsThatBatchAndEveryLaterOneAgainInOrderBeforeAnythingNew() {
        source.holdConfirms = true;
        start(1, 4);
        offer(0, 3);
        until(() -> source.startedCount() == 3);

        source.holdConfirms = false;
        source.fail(0);
        until(() -> source.acknowledged().size() == 3);
        offer(3, 4);
        until(() -> source.acknowledged().size() == 4);

        List<Integer> startedItems = new ArrayList<>();
        for (BatchPipeline.Batch<Integer> batch : source.startsCopy()) startedItems.addAll(batch.items());
        assertThat(startedItems).containsExactly(0, 1, 2, 0, 1, 2, 3);
        assertThat(source.startsCopy().subList(3, 6)).allMatch(BatchPipeline.Batch::retry);
        assertThat(source.acknowledged()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void itemsOfAnEpochTheTransportNoLongerHoldsAreDroppedAndTheFenceSaysSo() {
        source.holdConfirms = true;
        start(1, 4);
        offer(0, 1);
        until(() -> source.startedCount() == 1);
        BatchPipeline.Batch<Integer> first = source.startsCopy().get(0);
        assertThat(first.fence().holds()).isTrue();

        source.epoch.incrementAndGet();          // the channel went: the broker gives its items to another consumer
        assertThat(first.fence().holds()).isFalse();
        source.confirm(0);
        offer(1, 2);
        source.holdConfirms = false;
        source.confirmAll();
        until(() -> source.acknowledged().size() == 1);

        assertThat(source.acknowledged()).as("only the item of the current epoch").containsExactly(1);
    }

    @Test
    void theFirstBatchOfEachEpochTakesAFencingTokenThatEveryBatchOfTheEpochCarries() {
        source.fencing = true;
        start(1, 4);
        offer(0, 2);
        until(() -> source.acknowledged().size() == 2);
        source.epoch.incrementAndGet();          // a new channel, this instance the queue's consumer again
        offer(2, 3);
        until(() -> source.acknowledged().size() == 3);

        assertThat(source.takes.get()).as("one take per epoch").isEqualTo(2);
        assertThat(source.startsCopy()).extracting(batch -> batch.fence().token().map(FencingToken::value))
                .containsExactly(Optional.of(1L), Optional.of(1L), Optional.of(2L));
    }

    @Test
    void aBatchWhoseTokenIsRefusedWhileTheSourceDoesNotConfirmItsEpochIsLeftToTheSourceAndEndsTheEpochHere() {
        source.fencing = true;
        start(1, 4);
        offer(0, 1);
        until(() -> source.acknowledged().size() == 1);

        source.newestToken.incrementAndGet();    // the queue went to another instance, which took a token
        source.confirmsEpoch = false;            // the broker has closed this one's channel; it has not noticed
        offer(1, 3);
        until(() -> source.fencedOut.get() == 1);
        offer(3, 4);
        until(() -> source.left.get() == 1);

        assertThat(source.startsCopy()).extracting(BatchPipeline.Batch::items).as("nothing of the epoch started again")
                .containsExactly(List.of(0), List.of(1));
        assertThat(source.takes.get()).as("no token taken for an epoch the source does not confirm").isEqualTo(1);
        assertThat(source.retries.get()).isZero();
        assertThat(source.startsCopy().get(1).fence().holds()).as("the epoch is over here").isFalse();

        source.epoch.incrementAndGet();          // noticed, reconnected, and the queue's consumer again
        source.confirmsEpoch = true;
        offer(4, 5);
        until(() -> source.acknowledged().size() == 2);
        assertThat(source.acknowledged()).containsExactly(0, 4);
        assertThat(source.fencedOut.get()).isEqualTo(1);
    }

    @Test
    void aTokenTheStoreLostIsTakenAgainWhenTheSourceConfirmsTheEpochAndTheBatchGoesOn() {
        source.fencing = true;
        start(1, 4);
        offer(0, 1);
        until(() -> source.acknowledged().size() == 1);

        source.newestToken.set(10);              // Redis restarted empty: the token is gone, the next is another
        offer(1, 2);
        until(() -> source.acknowledged().size() == 2);

        assertThat(source.acknowledged()).containsExactly(0, 1);
        assertThat(source.takenAgain.get()).isEqualTo(1);
        assertThat(source.fencedOut.get()).isZero();
        assertThat(source.retries.get()).as("no backoff for the first refusal").isZero();
        assertThat(source.startsCopy()).extracting(batch -> batch.fence().token().map(FencingToken::value))
                .containsExactly(Optional.of(1L), Optional.of(1L), Optional.of(11L));
    }

    @Test
    void closingAcknowledgesWhatIsConfirmedAndLeavesTheRestToTheSource() throws InterruptedException {
        source.holdConfirms = true;
        start(1, 4);
        offer(0, 2);
        until(() -> source.startedCount() == 2);

        source.confirm(0);
        pipeline.stop();
        assertThat(pipeline.awaitStopped(WAIT)).isTrue();

        assertThat(source.acknowledged()).containsExactly(0);
        assertThat(source.left.get()).isEqualTo(1);
        pipeline = null;
    }

    @Test
    void aBatchTakesWhatHasArrivedUpToItsWeight() {
        source.holdConfirms = true;
        pipeline = new BatchPipeline<>("test", new BatchPipeline.Settings(10, Duration.ofSeconds(5), 1, 1,
                Duration.ofMillis(1), Duration.ofMillis(4), 0.2, Duration.ofSeconds(1)), source, source, item -> 4);
        pipeline.start();
        offer(0, 5);

        until(() -> source.startedCount() == 1);
        assertThat(source.startsCopy().get(0).items()).as("three items of weight 4 reach 10").containsExactly(0, 1, 2);
    }

    private static void until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT);
            Thread.onSpinWait();
        }
    }

    /** A source whose epoch, start failures and confirmations the test controls. */
    private static final class Source implements BatchPipeline.Transport<Integer, String>, BatchPipeline.Listener {
        final AtomicLong epoch = new AtomicLong();
        final AtomicInteger startFailures = new AtomicInteger();
        final AtomicInteger acknowledgements = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger recoveries = new AtomicInteger();
        final AtomicInteger left = new AtomicInteger();
        final List<BatchPipeline.Batch<Integer>> starts = new ArrayList<>();
        private final List<CompletableFuture<Void>> sends = new ArrayList<>();
        private final List<CompletableFuture<Void>> confirms = new ArrayList<>();
        private final List<Integer> acknowledged = new ArrayList<>();
        /** Whether a batch's sent effects are confirmed apart from the rest (else together). */
        volatile boolean separateSends;
        volatile boolean holdSends;
        volatile boolean holdConfirms;
        /** Whether batches take fencing tokens, which a store keeping {@link #newestToken} (0: none) checks. */
        volatile boolean fencing;
        final AtomicLong newestToken = new AtomicLong();
        final AtomicInteger takes = new AtomicInteger();
        final AtomicInteger fencedOut = new AtomicInteger();
        final AtomicInteger takenAgain = new AtomicInteger();
        /** Whether the source itself (the broker) still confirms the epoch this instance believes it holds. */
        volatile boolean confirmsEpoch = true;

        @Override
        public boolean holds(long epoch) {
            return epoch == this.epoch.get();
        }

        @Override
        public Optional<FencingToken> takeFencingToken(long epoch) {
            if (!fencing) return Optional.empty();
            if (!confirmsEpoch) throw new FencedOutException("not the queue's consumer any more");
            takes.incrementAndGet();
            return Optional.of(new FencingToken("queue", newestToken.incrementAndGet()));
        }

        @Override
        public synchronized BatchPipeline.Started<String> start(BatchPipeline.Batch<Integer> batch) {
            starts.add(batch);
            if (fencing && batch.fence().token().map(FencingToken::value).orElse(-1L) != newestToken.get())
                throw new FencedOutException("token " + batch.fence().token() + " is not the newest");
            if (startFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
                throw new DependencyUnavailableException("store down");
            CompletableFuture<Void> confirmed = holdConfirms ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
            confirms.add(confirmed);
            if (!separateSends) return new BatchPipeline.Started<>("batch " + batch.items(), confirmed);
            CompletableFuture<Void> sent = holdSends ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
            sends.add(sent);
            return new BatchPipeline.Started<>("batch " + batch.items(), sent, confirmed);
        }

        @Override
        public synchronized void acknowledge(List<BatchPipeline.Done<Integer, String>> done) {
            acknowledgements.incrementAndGet();
            for (BatchPipeline.Done<Integer, String> batch : done) {
                assertThat(batch.result()).isEqualTo("batch " + batch.batch().items());
                acknowledged.addAll(batch.batch().items());
            }
        }

        @Override
        public void retrying(RuntimeException cause, int attempt, int items, Duration backoff) {
            retries.incrementAndGet();
        }

        @Override
        public void recovered(int failures, Duration failingFor) {
            recoveries.incrementAndGet();
        }

        @Override
        public void leftToTheSource(int items, boolean closing) {
            left.addAndGet(items);
        }

        @Override
        public void fencedOut(RuntimeException cause, int items) {
            fencedOut.incrementAndGet();
        }

        @Override
        public void fencingTokenTakenAgain(FencedOutException refusal) {
            takenAgain.incrementAndGet();
        }

        synchronized int startedCount() {
            return starts.size();
        }

        synchronized List<BatchPipeline.Batch<Integer>> startsCopy() {
            return List.copyOf(starts);
        }

        synchronized List<Integer> acknowledged() {
            return List.copyOf(acknowledged);
        }

        void confirm(int start) {
            future(start).complete(null);
        }

        void fail(int start) {
            future(start).completeExceptionally(new DependencyUnavailableException("confirm lost"));
        }

        void confirmAll() {
            List<CompletableFuture<Void>> all;
            synchronized (this) {
                all = List.copyOf(confirms);
            }
            for (CompletableFuture<Void> confirm : all) confirm.complete(null);
        }

        private synchronized CompletableFuture<Void> future(int start) {
            return confirms.get(start);
        }

        synchronized void send(int start) {
            sends.get(start).complete(null);
        }

        synchronized void failSend(int start) {
            sends.get(start).completeExceptionally(new DependencyUnavailableException("broadcast lost"));
        }

        void sendAll() {
            List<CompletableFuture<Void>> all;
            synchronized (this) {
                all = List.copyOf(sends);
            }
            for (CompletableFuture<Void> send : all) send.complete(null);
        }
    }
}
