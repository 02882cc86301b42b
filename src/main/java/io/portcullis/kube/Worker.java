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
 * The one thread of the {@link WorkloadTracker}: its informer events, debounced recomputations and writes. The
 * policy controllers have work queues of their own ({@link WorkQueue}); the tracker needs no per-key queue, as it
 * only marks namespaces dirty and recomputes them together, and one thread lets its bookkeeping go without locks.
 * A failing task is logged and does not stop the thread.
 */
final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final ScheduledExecutorService executor;

    Worker(String name) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
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
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
