package io.portcullis.webhook;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a handler under a deadline and always comes back with an answer: the handler's, or an error answer
 * ({@code allowed: false}, code 500) when it throws, returns nothing, or overruns.
 *
 * <p>Handlers run on their own platform threads, so the request thread can answer when the time is up even if
 * the handler never returns. An overrunning handler is interrupted (the policy engine stops on interrupt);
 * one that ignores interrupts keeps its thread until it finishes, but no longer holds up the answer.
 */
public final class DeadlineRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadlineRunner.class);

    private final ExecutorService executor = Executors.newCachedThreadPool(new HandlerThreads());

    public AdmissionResponse run(Webhook webhook, AdmissionHandler handler, AdmissionRequest request,
            Duration timeLeft, Duration deadline) {
        Future<AdmissionResponse> call;
        try {
            call = executor.submit(() -> handler.handle(request));
        } catch (RejectedExecutionException e) {
            return AdmissionResponse.errored(503, "portcullis is shutting down");
        }
        try {
            AdmissionResponse response = call.get(Math.max(0, timeLeft.toNanos()), TimeUnit.NANOSECONDS);
            if (response == null) {
                log.warn("{} handler returned no response for {} uid={}", webhook.label(), request.describe(),
                        request.uid());
                return AdmissionResponse.errored(500, webhook.label() + " of " + request.describe()
                        + " failed: the handler returned no response");
            }
            return response;
        } catch (TimeoutException e) {
            call.cancel(true);
            log.warn("{} of {} uid={} overran the {} deadline; answered with an error", webhook.label(),
                    request.describe(), request.uid(), deadline);
            return AdmissionResponse.errored(500, webhook.label() + " of " + request.describe()
                    + " did not finish within the " + seconds(deadline) + " deadline");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            log.warn("{} handler failed on {} uid={}", webhook.label(), request.describe(), request.uid(), cause);
            return AdmissionResponse.errored(500, webhook.label() + " of " + request.describe() + " failed: "
                    + describe(cause));
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            return AdmissionResponse.errored(503, webhook.label() + " of " + request.describe()
                    + " was interrupted: the server is stopping");
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** The exception's own message, with its type when the message alone would say nothing. */
    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
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
