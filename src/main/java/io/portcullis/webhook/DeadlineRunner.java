package io.portcullis.webhook;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs handlers on a fixed pool of threads with a short queue, under each request's deadline, and always comes back
 * with an answer in time: the handler's, or an error answer ({@code allowed: false}) when it throws, returns nothing
 * or overruns, and at once when the pool is busy.
 *
 * <ul>
 * <li>Queue full: code 429 at once. Waiting in a long line would only turn into deadline errors, and the API server
 *     retries sooner than a queue drains.</li>
 * <li>Deadline passed while queued: the handler never starts.</li>
 * <li>Deadline passed while running: the handler is interrupted (the policy engine stops on interrupt). One that
 *     ignores interrupts keeps its thread until it ends, so the pool bounds even those.</li>
 * </ul>
 * No thread waits for an answer: the caller gets a future, so a review waiting in the queue holds memory but no
 * thread.
 */
public final class DeadlineRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadlineRunner.class);

    private final ThreadPoolExecutor pool;
    /** Answers a review whose handler has not by its deadline. */
    private final ScheduledThreadPoolExecutor deadlines;
    private final int threads;
    private final int queueCapacity;

    /**
     * @param threads       handlers that run at once (about the number of cores: evaluation is CPU-bound)
     * @param queueCapacity requests that may wait for a thread
     */
    public DeadlineRunner(int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("handler threads and queue capacity must be at least 1, got " + threads
                    + " and " + queueCapacity);
        }
        this.threads = threads;
        this.queueCapacity = queueCapacity;
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), new HandlerThreads());
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "admission-deadlines");
            t.setDaemon(true);
            return t;
        });
        // Most reviews answer long before their deadline: their timers leave the queue when cancelled.
        this.deadlines.setRemoveOnCancelPolicy(true);
    }

    /** Handlers running now. */
    public int running() {
        return pool.getActiveCount();
    }

    /** Requests waiting for a handler thread now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /**
     * Why a review arriving now would be refused, before its body is read: every thread is busy and the queue is
     * full. Refusing then costs the least CPU, which a saturated server has none of (a review read and parsed only
     * to be refused makes every other answer later). Empty when there is room.
     */
    Optional<Refusal> refusalWhenFull() {
        if (pool.getQueue().remainingCapacity() > 0 || pool.getActiveCount() < threads) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(429, "TooManyRequests", "too many requests in flight: " + threads
                + " reviews are running and " + queueCapacity + " are waiting; try again"));
    }

    /**
     * The handler's answer, or an error answer, by the request's deadline; blocks the calling thread. The webhook
     * itself uses {@link #submit}, which does not.
     */
    AdmissionResponse run(Webhook webhook, AdmissionHandler handler, AdmissionRequest request,
            RequestDeadline deadline, Runnable whenDone) {
        return submit(webhook, handler, request, deadline, whenDone).join();
    }

    /**
     * Starts the handler; the future completes with its answer, or with an error answer at the deadline, on the
     * refusal or when the handler fails. It never completes exceptionally and never after the deadline, and no
     * thread waits for it: a review in the queue holds no Tomcat thread, so the threads that read requests stay free
     * to answer the reviews refused under overload at once.
     *
     * @param whenDone runs once, when the handler has finished or it is sure never to run; the answer may be sent
     *                 before (an overrunning handler), so what the handler uses is released here, not by the caller
     */
    CompletableFuture<AdmissionResponse> submit(Webhook webhook, AdmissionHandler handler, AdmissionRequest request,
            RequestDeadline deadline, Runnable whenDone) {
        String what = webhook.label() + " of " + request.describe();
        Job job = new Job(handler, request, deadline, whenDone);
        try {
            pool.execute(job);
        } catch (RejectedExecutionException e) {
            whenDone.run();
            if (pool.isShutdown()) {
                return CompletableFuture.completedFuture(AdmissionResponse.errored(503, "portcullis is shutting down"));
            }
            log.debug("{} uid={} refused: {} running, {} queued", what, request.uid(), threads, queueCapacity);
            return CompletableFuture.completedFuture(AdmissionResponse.errored(429, "too many requests in flight: "
                    + what + " was refused because " + threads + " reviews are running and " + queueCapacity
                    + " are waiting; try again"));
        }
        CompletableFuture<AdmissionResponse> result = new CompletableFuture<>();
        ScheduledFuture<?> timer = deadlines.schedule(() -> {
            // A job still waiting is dropped before the answer goes out, so that whatever it holds is released by
            // the time the caller sees the answer; a running one is interrupted only once the answer is ours.
            boolean dropped = job.drop();
            if (result.complete(overran(what, deadline))) {
                if (!dropped) {
                    job.interrupt();
                }
                log.warn("{} uid={} {} the {} deadline; answered with an error", what, request.uid(),
                        dropped ? "waited for a handler thread past" : "overran", deadline);
            }
        }, Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        job.answer.whenComplete((response, failure) -> {
            timer.cancel(false);
            result.complete(answer(webhook, request, what, deadline, response, failure));
        });
        return result;
    }

    private static AdmissionResponse answer(Webhook webhook, AdmissionRequest request, String what,
            RequestDeadline deadline, AdmissionResponse response, Throwable failure) {
        if (failure instanceof Expired) {
            return overran(what, deadline);
        }
        if (failure != null) {
            log.warn("{} handler failed on {} uid={}", webhook.label(), request.describe(), request.uid(), failure);
            return AdmissionResponse.errored(500, what + " failed: " + describe(failure));
        }
        if (response == null) {
            log.warn("{} handler returned no response for {} uid={}", webhook.label(), request.describe(),
                    request.uid());
            return AdmissionResponse.errored(500, what + " failed: the handler returned no response");
        }
        return response;
    }

    private static AdmissionResponse overran(String what, RequestDeadline deadline) {
        return AdmissionResponse.errored(500, what + " did not finish within the " + deadline + " deadline");
    }

    @Override
    public void close() {
        pool.shutdownNow();
        deadlines.shutdownNow();
    }

    /** The exception's own message, with its type when the message alone would say nothing. */
    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** One handler call, from the queue to its end, and the request thread's way to give up on it. */
    private final class Job implements Runnable {
        private static final int QUEUED = 0;
        private static final int RUNNING = 1;
        private static final int ENDED = 2;
        private static final int DROPPED = 3;

        final CompletableFuture<AdmissionResponse> answer = new CompletableFuture<>();
        private final AdmissionHandler handler;
        private final AdmissionRequest request;
        private final RequestDeadline deadline;
        private final Runnable whenDone;
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private Thread runner; // guarded by this
        private boolean abandoned; // guarded by this

        Job(AdmissionHandler handler, AdmissionRequest request, RequestDeadline deadline, Runnable whenDone) {
            this.handler = handler;
            this.request = request;
            this.deadline = deadline;
            this.whenDone = whenDone;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return; // dropped at its deadline while it waited
            }
            try {
                synchronized (this) {
                    if (abandoned || deadline.passed()) {
                        answer.completeExceptionally(new Expired());
                        return;
                    }
                    runner = Thread.currentThread();
                }
                answer.complete(handler.handle(request));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            } finally {
                synchronized (this) {
                    runner = null;
                    // An interrupt meant for this handler must not reach the next one on this thread.
                    Thread.interrupted();
                }
                state.set(ENDED);
                whenDone.run();
            }
        }

        /** The answer is due: a job still waiting never runs. Returns whether it was still waiting. */
        boolean drop() {
            if (state.compareAndSet(QUEUED, DROPPED)) {
                pool.remove(this);
                whenDone.run();
                return true;
            }
            return false;
        }

        /** The answer is due and the job has started: its handler is interrupted, and it stops if it has not yet. */
        void interrupt() {
            synchronized (this) {
                abandoned = true;
                if (runner != null) {
                    runner.interrupt();
                }
            }
        }
    }

    /** The job's deadline had passed when a thread took it; it did not run. */
    private static final class Expired extends Exception {
        Expired() {
            super("deadline passed in the queue", null, false, false);
        }
    }

    /**
     * Handler threads get a larger stack than the JVM's default: policy evaluation (wasm run by Chicory) and
     * tree walks recurse per nesting level, and a request may nest up to the admission depth limit. The
     * memory is reserved, not committed, until used.
     */
    private static final class HandlerThreads implements ThreadFactory {
        private static final long STACK_BYTES = 16L << 20;
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(null, r, "admission-handler-" + count.incrementAndGet(), STACK_BYTES);
            t.setDaemon(true);
            return t;
        }
    }
}
