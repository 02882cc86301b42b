package io.portcullis.kube;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that does all the work of the cluster source: informer events, compiles, CRD and inventory changes.
 * With one thread no controller needs a lock, and an event for a constraint can never overtake the event for its
 * template. A failing task is logged and does not stop the thread. After every task {@code afterEach} runs (the
 * source publishes its snapshot and checks readiness there).
 */
final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final ScheduledExecutorService executor;
    private volatile Runnable afterEach = () -> { };

    Worker(String name) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    void afterEach(Runnable hook) {
        this.afterEach = hook;
    }

    void submit(String what, Runnable task) {
        if (!executor.isShutdown()) {
            executor.execute(() -> run(what, task));
        }
    }

    void schedule(String what, Duration delay, Runnable task) {
        if (!executor.isShutdown()) {
            executor.schedule(() -> run(what, task), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs the task on the worker and waits for its answer (tests and shutdown read state this way). */
    <T> T call(Callable<T> task) {
        return call(task, Duration.ofMinutes(5));
    }

    <T> T call(Callable<T> task, Duration timeout) {
        Future<T> future = executor.submit(task);
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException("the worker did not answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void run(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("{} failed", what, e);
        }
        try {
            afterEach.run();
        } catch (RuntimeException e) {
            log.error("publishing the policy snapshot failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
