package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionLimits;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.AdmissionReviewReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handler pool: one thread and a queue of one here, so that a blocked handler fills it. Handlers block on latches
 * the test releases, never on time, so that no assertion depends on how fast the machine is.
 */
class DeadlineRunnerTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Duration SHORT = Duration.ofMillis(300);

    private final DeadlineRunner runner = new DeadlineRunner(1, 1);
    private final CountDownLatch release = new CountDownLatch(1);
    /** Plays Tomcat's request threads. */
    private final ExecutorService requestThreads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        release.countDown();
        runner.close();
        requestThreads.close();
    }

    private static AdmissionRequest request(String uid) {
        String review = WebhookServerTest.review("admission.k8s.io/v1", uid, WebhookServerTest.pod("allow"));
        return new AdmissionReviewReader(AdmissionLimits.DEFAULT).read(review.getBytes()).request();
    }

    private static RequestDeadline due(Duration deadline) {
        return new RequestDeadline(System.nanoTime(), deadline);
    }

    /** Blocks until the test releases it, then allows. */
    private AdmissionHandler blocking(CountDownLatch started) {
        return request -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                return AdmissionResponse.allow("interrupted");
            }
            return AdmissionResponse.allow("released");
        };
    }

    /** Runs a request on another thread (as Tomcat's threads do), so that the test can go on while it waits. */
    private CompletableFuture<AdmissionResponse> submit(AdmissionHandler handler, String uid, Duration deadline,
            Runnable whenDone) {
        return CompletableFuture.supplyAsync(() -> runner.run(Webhook.VALIDATION, handler, request(uid), due(deadline),
                whenDone), requestThreads);
    }

    private void awaitQueued(int n) throws InterruptedException {
        for (int i = 0; i < 3000 && runner.queued() < n; i++) {
            Thread.sleep(10);
        }
        assertThat(runner.queued()).as("requests queued").isEqualTo(n);
    }

    @Test
    void aFullQueueIsAnsweredAtOnceWith429WhileTheOthersStillWait() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<AdmissionResponse> running = submit(blocking(started), "running", LONG, () -> { });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<AdmissionResponse> queued = submit(blocking(new CountDownLatch(1)), "queued", LONG, () -> { });
        awaitQueued(1);
        CountDownLatch done = new CountDownLatch(1);

        // The controller asks before reading the body, and is told why it would be refused.
        assertThat(runner.refusalWhenFull()).hasValueSatisfying(r -> {
            assertThat(r.code()).isEqualTo(429);
            assertThat(r.message()).isEqualTo("too many requests in flight: 1 reviews are running and 1 are waiting; "
                    + "try again");
        });
        AdmissionResponse refused = runner.run(Webhook.VALIDATION, request -> AdmissionResponse.allow(), request("third"),
                due(LONG), done::countDown);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.status().code()).isEqualTo(429);
        assertThat(refused.status().message()).startsWith("too many requests in flight: validation of Pod default/web")
                .contains("1 reviews are running and 1 are waiting");
        assertThat(done.getCount()).as("whenDone of the refused request").isZero();
        // Answered while the other two still wait: nothing was released yet.
        assertThat(running).isNotDone();
        assertThat(queued).isNotDone();

        release.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS).status().message()).isEqualTo("released");
        assertThat(queued.get(30, TimeUnit.SECONDS).status().message()).isEqualTo("released");
        assertThat(runner.refusalWhenFull()).as("room again").isEmpty();
    }

    @Test
    void thereIsRoomWhileAThreadOrAPlaceInTheQueueIsFree() throws Exception {
        assertThat(runner.refusalWhenFull()).as("idle").isEmpty();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<AdmissionResponse> running = submit(blocking(started), "running", LONG, () -> { });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.refusalWhenFull()).as("the thread busy, the queue empty").isEmpty();
        release.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS).status().message()).isEqualTo("released");
    }

    @Test
    void aRequestWhoseDeadlinePassesInTheQueueIsNeverRun() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<AdmissionResponse> running = submit(blocking(started), "running", LONG, () -> { });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        AtomicBoolean ran = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);

        AdmissionResponse late = submit(request -> {
            ran.set(true);
            return AdmissionResponse.allow();
        }, "late", SHORT, done::countDown).get(30, TimeUnit.SECONDS);

        assertThat(late.allowed()).isFalse();
        assertThat(late.status().code()).isEqualTo(500);
        assertThat(late.status().message()).isEqualTo("validation of Pod default/web did not finish within the 300ms deadline");
        assertThat(done.getCount()).as("whenDone of the dropped request").isZero();
        assertThat(runner.queued()).as("the dropped request left the queue").isZero();

        release.countDown();
        running.get(30, TimeUnit.SECONDS);
        // The thread is free again and takes new work, but the dropped request never ran.
        assertThat(runner.run(Webhook.VALIDATION, request -> AdmissionResponse.allow("next"), request("next"), due(LONG),
                () -> { }).status().message()).isEqualTo("next");
        assertThat(ran).isFalse();
    }

    @Test
    void aRunningRequestIsInterruptedAtItsDeadlineAndTheInterruptDoesNotReachTheNext() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);

        AdmissionResponse overran = runner.run(Webhook.MUTATION, request -> {
            try {
                release.await();
                return AdmissionResponse.allow("not interrupted");
            } catch (InterruptedException e) {
                interrupted.countDown();
                return AdmissionResponse.allow("too late");
            }
        }, request("slow"), due(SHORT), done::countDown);

        assertThat(overran.allowed()).isFalse();
        assertThat(overran.status().code()).isEqualTo(500);
        assertThat(overran.status().message()).isEqualTo("mutation of Pod default/web did not finish within the 300ms deadline");
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).as("the handler was interrupted").isTrue();
        assertThat(done.await(30, TimeUnit.SECONDS)).as("whenDone once the handler ended").isTrue();

        AdmissionResponse next = runner.run(Webhook.VALIDATION,
                request -> AdmissionResponse.allow(Thread.currentThread().isInterrupted() ? "interrupted" : "clean"),
                request("next"), due(LONG), () -> { });
        assertThat(next.status().message()).isEqualTo("clean");
    }

    @Test
    void aHandlerThatIgnoresTheInterruptHoldsWhatItUsesUntilItEnds() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);

        AdmissionResponse overran = runner.run(Webhook.VALIDATION, request -> {
            started.countDown();
            while (true) {
                try {
                    release.await();
                    return AdmissionResponse.allow();
                } catch (InterruptedException ignored) {
                    // a handler that does not stop
                }
            }
        }, request("stubborn"), due(SHORT), done::countDown);

        assertThat(overran.status().code()).isEqualTo(500);
        assertThat(started.getCount()).isZero();
        assertThat(done.getCount()).as("whenDone waits for the handler, not for the answer").isOne();
        release.countDown();
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aClosedRunnerAnswers503() {
        runner.close();
        AdmissionResponse response = runner.run(Webhook.VALIDATION, request -> AdmissionResponse.allow(), request("u"),
                due(LONG), () -> { });
        assertThat(response.allowed()).isFalse();
        assertThat(response.status().code()).isEqualTo(503);
    }
}
