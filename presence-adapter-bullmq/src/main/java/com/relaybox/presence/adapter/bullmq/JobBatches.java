package com.relaybox.presence.adapter.bullmq;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.log.Logfmt;
import com.relaybox.presence.core.pipeline.BatchPipeline;
import com.relaybox.presence.core.port.in.ProcessJobs;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.FencedOutException;
import com.relaybox.presence.core.port.out.FencingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The BullMQ side of the {@link BatchPipeline}: a batch of taken jobs is applied with
 * {@link ProcessJobs#applyBatch}; once its broadcasts and history are confirmed, its jobs are
 * finished in one {@code finish.lua} call for every batch confirmed at once: completed, or failed
 * with the §6 reason for those core rejected. The epoch is the lease's; the fence holds while this
 * instance is certain it still has the lease, and the store writes of its batches carry the queue's
 * fencing token, taken when the lease's first batch starts ({@link #takeFencingToken}).
 *
 * <p>A finish that Redis does not take (it went away) is kept and tried again, before the next
 * ones, by the lease renewal; the jobs stay in active under this instance's renewed locks
 * meanwhile. Should the lease lapse first, the next holder takes them again: they change nothing a
 * second time and are broadcast again, as any redelivery is.
 *
 * <p>Once Redis has taken a finish, BullMQ never gives those jobs again: their memory in the store
 * shrinks to the duplicate window ({@link ProcessJobs#jobsAcknowledged}). Not for a job the script
 * did not find active, though: a stalled check may have given it back, to be taken again, so it
 * keeps the long memory.
 */
final class JobBatches implements BatchPipeline.Transport<TakenJob, List<Outcome>> {
    private static final Logger LOG = LoggerFactory.getLogger(JobBatches.class);

    private final QueueScripts scripts;
    private final ProcessJobs jobs;
    private final Lease lease;
    /** The queue as a fenced resource. */
    private final String fencedResource;
    private final Flight flight;
    private final BullMqObserver observer;
    private final List<Finishing> pending = new ArrayList<>();

    /** One job to finish: under which epoch, and how. */
    private record Finishing(long epoch, TakenJob job, Outcome outcome) {
    }

    JobBatches(QueueScripts scripts, ProcessJobs jobs, Lease lease, String fencedResource, Flight flight,
               BullMqObserver observer) {
        this.scripts = scripts;
        this.jobs = jobs;
        this.lease = lease;
        this.fencedResource = fencedResource;
        this.flight = flight;
        this.observer = observer;
    }

    @Override
    public boolean holds(long epoch) {
        return lease.holds(epoch);
    }

    /**
     * Takes the queue's token while this epoch's lease is certainly still this instance's, before and
     * after: Redis cannot have given the lease to another instance by then, so any later holder takes
     * its token after this one.
     */
    @Override
    public Optional<FencingToken> takeFencingToken(long epoch) {
        if (!lease.holds(epoch)) throw leaseLost(epoch);
        FencingToken token = jobs.takeFencingToken(fencedResource);
        if (!lease.holds(epoch)) throw leaseLost(epoch);
        return Optional.of(token);
    }

    private FencedOutException leaseLost(long epoch) {
        return new FencedOutException("this instance is no longer sure to hold the lease of epoch " + epoch + " on "
                + scripts.base() + "*");
    }

    @Override
    public BatchPipeline.Started<List<Outcome>> start(BatchPipeline.Batch<TakenJob> batch) {
        List<RawJob> raws = new ArrayList<>(batch.items().size());
        for (TakenJob job : batch.items()) raws.add(job.raw(scripts.base(), batch.retry()));
        ProcessJobs.AppliedBatch applied = jobs.applyBatch(raws, batch.fence());
        return new BatchPipeline.Started<>(applied.outcomes(), applied.broadcast(), applied.confirmed());
    }

    @Override
    public void acknowledge(List<BatchPipeline.Done<TakenJob, List<Outcome>>> done) {
        synchronized (pending) {
            for (BatchPipeline.Done<TakenJob, List<Outcome>> batch : done)
                for (int i = 0; i < batch.batch().items().size(); i++)
                    pending.add(new Finishing(batch.batch().epoch(), batch.batch().items().get(i), batch.result().get(i)));
        }
        finishPending();
    }

    /** Finishes what is waiting to be finished, in one script call; keeps it when Redis fails. */
    void finishPending() {
        synchronized (pending) {
            Lease.Held held = lease.current();
            pending.removeIf(finishing -> held == null || finishing.epoch() != held.epoch());
            if (pending.isEmpty()) return;
            List<String> args = new ArrayList<>(3 + pending.size() * 3);
            args.add(held.token());
            args.add(Long.toString(System.currentTimeMillis()));
            args.add(scripts.base());
            int failed = 0;
            List<String> ids = new ArrayList<>(pending.size());
            for (Finishing finishing : pending) {
                ids.add(finishing.job().id());
                args.add(finishing.job().id());
                if (finishing.outcome() instanceof Outcome.Rejected rejected) {
                    args.add("failed");
                    args.add(rejected.why());                 // one line already: core's reason
                    failed++;
                } else {
                    args.add("completed");
                    args.add("");
                }
            }
            Object reply;
            try {
                reply = scripts.run(QueueScripts.FINISH,
                        List.of(Keys.LEASE, "active", "stalled", "completed", "failed", "events", "meta", "wait"), args);
            } catch (DependencyUnavailableException e) {
                LOG.debug("finishing {} jobs failed; tried again with the next renewal: {}", pending.size(), e.getMessage());
                return;
            }
            long now = System.currentTimeMillis();
            List<Finishing> done = List.copyOf(pending);
            pending.clear();
            if (!(reply instanceof List<?> missed)) {     // -1: the lease is not this instance's any more
                lease.lost(held.token());
                return;
            }
            flight.finished(held.epoch(), ids);
            forgetSoon(done, missed);
            try {
                observer.finished(done.size() - failed, failed);
                for (Finishing finishing : done)
                    if (finishing.job().enqueuedAt() > 0) observer.jobLatency(Math.max(0, now - finishing.job().enqueuedAt()));
            } catch (RuntimeException e) {
                LOG.warn("event=observer_failed error={}", Logfmt.quote(String.valueOf(e)));
            }
        }
    }

    private void forgetSoon(List<Finishing> done, List<?> missed) {
        Set<String> notFinished = new HashSet<>();
        for (Object id : missed) notFinished.add(QueueScripts.text(id));
        List<RawJob> raws = new ArrayList<>(done.size());
        List<Outcome> outcomes = new ArrayList<>(done.size());
        for (Finishing finishing : done) {
            if (notFinished.contains(finishing.job().id())) continue;
            raws.add(finishing.job().raw(scripts.base(), false));
            outcomes.add(finishing.outcome());
        }
        jobs.jobsAcknowledged(raws, outcomes);
    }
}
