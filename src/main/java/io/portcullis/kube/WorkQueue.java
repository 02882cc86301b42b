package io.portcullis.kube;

import io.portcullis.kube.write.Retry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one controller, serialised per key, as java-operator-sdk's EventProcessor does it: work for one key
 * never runs twice at once; work submitted for a key that is queued or running replaces what was waiting (the
 * latest event wins, so the work must read the current state, not the event); work that throws is run again
 * after the {@link Retry}'s backoff unless newer work for its key arrived meanwhile. Keys run in parallel on the
 * queue's threads, so a slow key (a template that takes seconds to compile) delays no other key, and no other
 * controller. After each piece of work {@code afterEach} runs (the source publishes its snapshot there).
 */
final class WorkQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);

    /** The state of one key; a key with nothing waiting, running or scheduled is dropped. */
    private static final class Slot {
        Runnable next;
        String what;
        boolean dispatched;
        int failures;
        ScheduledFuture<?> retry;
    }

    private final String name;
    private final Retry retry;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<Object, Slot> slots = new HashMap<>();
    private volatile Runnable afterEach = () -> { };
    /** Keys dispatched to a thread and not finished: guarded by this. */
    private int busy;

    WorkQueue(String name, int threads, Retry retry) {
        this.name = name;
        this.retry = retry;
        this.executor = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    void afterEach(Runnable hook) {
        this.afterEach = hook;
    }

    /** Runs the work for the key as soon as no other work of the key runs; replaces work still waiting. */
    synchronized void submit(Object key, String what, Runnable work) {
        Slot slot = slots.computeIfAbsent(key, k -> new Slot());
        slot.failures = 0;
        if (slot.retry != null) {
            slot.retry.cancel(false);
            slot.retry = null;
        }
        offer(key, slot, what, work);
    }

    /** Submits the work after the delay (a retry the work itself decided on, such as a refused binding). */
    void submitAfter(Object key, Duration delay, String what, Runnable work) {
        later(delay, () -> submit(key, what, work));
    }

    /**
     * Runs a short action after the delay, outside any key: one that records why a key must be done again and
     * submits it, so that newer work of the key cannot replace the reason.
     */
    void later(Duration delay, Runnable action) {
        if (!executor.isShutdown()) {
            executor.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Waits until no work is waiting or running; scheduled retries do not count (tests, shutdown). */
    synchronized void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (busy > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(name + " did not become idle within " + timeout);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private void offer(Object key, Slot slot, String what, Runnable work) {
        slot.next = work;
        slot.what = what;
        if (!slot.dispatched && !executor.isShutdown()) {
            slot.dispatched = true;
            busy++;
            executor.execute(() -> run(key, slot));
        }
    }

    private void run(Object key, Slot slot) {
        Runnable work;
        String what;
        synchronized (this) {
            work = slot.next;
            what = slot.what;
            slot.next = null;
        }
        boolean failed = false;
        try {
            work.run();
        } catch (RuntimeException e) {
            failed = true;
            log.warn("{}: {} failed: {}", name, what, e.toString(), log.isDebugEnabled() ? e : null);
        }
        try {
            afterEach.run();
        } catch (RuntimeException e) {
            log.error("{}: publishing after {} failed", name, what, e);
        }
        synchronized (this) {
            slot.dispatched = false;
            busy--;
            if (slot.next != null) {
                // Newer work arrived while this ran: it supersedes any retry of this one.
                slot.dispatched = true;
                busy++;
                executor.execute(() -> run(key, slot));
            } else if (failed && retry.again(++slot.failures) && !executor.isShutdown()) {
                Duration delay = retry.delay(slot.failures);
                slot.retry = executor.schedule(() -> retryNow(key, slot, what, work), delay.toMillis(),
                        TimeUnit.MILLISECONDS);
            } else if (slot.retry == null) {
                slots.remove(key);
            }
            notifyAll();
        }
    }

    private synchronized void retryNow(Object key, Slot slot, String what, Runnable work) {
        if (slots.get(key) == slot && slot.retry != null) {
            slot.retry = null;
            offer(key, slot, what, work);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (this) {
            notifyAll();
        }
    }
}
