package io.portcullis.engine;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Stops a running evaluation: Chicory's compiled code and interpreter check the thread's interrupt flag, so a
 * timer interrupts the evaluating thread once its time is up. The lock makes sure an interrupt meant for one
 * evaluation never leaks into whatever the thread does next.
 */
final class Deadline implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Thread thread = Thread.currentThread();
    private final ScheduledFuture<?> timer;
    private boolean finished;
    private boolean expired;

    private Deadline(Duration timeout) {
        this.timer = TIMER.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Cancelled timers leave the queue at once: thousands of evaluations a second would otherwise pile them up. */
    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "portcullis-eval-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    static Deadline start(Duration timeout) {
        return new Deadline(timeout);
    }

    private synchronized void expire() {
        if (!finished) {
            expired = true;
            thread.interrupt();
        }
    }

    synchronized boolean expired() {
        return expired;
    }

    @Override
    public void close() {
        timer.cancel(false);
        boolean clear;
        synchronized (this) {
            finished = true;
            clear = expired;
        }
        if (clear) {
            Thread.interrupted();
        }
    }
}
