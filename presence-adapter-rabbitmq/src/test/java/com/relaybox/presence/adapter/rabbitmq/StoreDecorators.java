package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.contract.ForwardingStore;
import com.relaybox.presence.core.domain.CorruptStateException;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Stores that misbehave on purpose, around the in-memory store. */
final class StoreDecorators {
    private StoreDecorators() {
    }

    /** Unreachable for its next {@code failures} applies, as Redis would be while it restarts. */
    static final class Flaky extends ForwardingStore {
        final AtomicInteger failuresLeft;
        final AtomicInteger failed = new AtomicInteger();

        Flaky(PresenceStore delegate, int failures) {
            super(delegate);
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
            if (failuresLeft.getAndDecrement() > 0) {
                failed.incrementAndGet();
                throw new DependencyUnavailableException("Redis unreachable (test)");
            }
            return delegate.apply(commands, token);
        }
    }

    /** Applies commands in order and throws CorruptStateException at the first one in the corrupt room. */
    static final class Corrupt extends ForwardingStore {
        final NspRoomId corrupt;

        Corrupt(PresenceStore delegate, NspRoomId corrupt) {
            super(delegate);
            this.corrupt = corrupt;
        }

        @Override
        public List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
            for (int i = 0; i < commands.size(); i++) {
                if (inCorruptRoom(commands.get(i))) {
                    delegate.apply(commands.subList(0, i), token);     // the ones before went through, as in a real store
                    throw new CorruptStateException("presence:" + corrupt
                            + ":members holds something this service did not write");
                }
            }
            return delegate.apply(commands, token);
        }

        private boolean inCorruptRoom(StoreCommand command) {
            return command.match(join -> join.room().equals(corrupt), update -> update.room().equals(corrupt),
                    leave -> leave.room().equals(corrupt), disconnect -> false, evict -> false);
        }
    }

    /**
     * Holds one apply (the first, or the n-th) until released, so a test can act while a batch is in
     * flight; {@code finished} once the held apply returned or threw ({@code failure}).
     */
    static final class Gated extends ForwardingStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        volatile RuntimeException failure;
        private final AtomicInteger calls = new AtomicInteger();
        private final int heldCall;

        Gated(PresenceStore delegate) {
            this(delegate, 1);
        }

        Gated(PresenceStore delegate, int heldCall) {
            super(delegate);
            this.heldCall = heldCall;
        }

        @Override
        public List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
            if (calls.incrementAndGet() != heldCall) return delegate.apply(commands, token);
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never released");
                return delegate.apply(commands, token);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            } finally {
                finished.countDown();
            }
        }
    }
}
