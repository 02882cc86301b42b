package io.portcullis.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.kube.write.Retry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The controllers' work queue: per key one piece of work at a time and the latest wins; keys in parallel; work that
 * throws runs again after the backoff, unless newer work for its key came first. Work blocks on latches the test
 * releases, so nothing depends on how fast the machine is.
 */
class WorkQueueTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private final WorkQueue queue = new WorkQueue("test-queue", 2, new Retry(Duration.ofMillis(10), 1, Duration.ofMillis(10), 0));

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void workForOneKeyNeverOverlapsAndOnlyTheLatestWaitingRuns() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<String> ran = new CopyOnWriteArrayList<>();

        queue.submit("k", "first", () -> {
            track(running, mostAtOnce);
            firstStarted.countDown();
            await(release);
            ran.add("first");
            running.decrementAndGet();
        });
        assertThat(firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
        for (String name : List.of("second", "third")) {
            queue.submit("k", name, () -> {
                track(running, mostAtOnce);
                ran.add(name);
                running.decrementAndGet();
            });
        }
        release.countDown();
        queue.awaitIdle(LONG);

        assertThat(ran).containsExactly("first", "third");
        assertThat(mostAtOnce.get()).as("work of one key at once").isEqualTo(1);
    }

    @Test
    void aSlowKeyDoesNotHoldUpAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch otherRan = new CountDownLatch(1);
        queue.submit("slow", "slow", () -> await(release));

        queue.submit("quick", "quick", otherRan::countDown);

        assertThat(otherRan.await(30, TimeUnit.SECONDS)).as("the other key ran while the slow one still ran").isTrue();
        release.countDown();
        queue.awaitIdle(LONG);
    }

    @Test
    void failingWorkRunsAgainUntilItSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch succeeded = new CountDownLatch(1);

        queue.submit("k", "flaky", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet");
            }
            succeeded.countDown();
        });

        assertThat(succeeded.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void newerWorkReplacesTheRetryOfFailedWork() throws Exception {
        AtomicInteger failedRuns = new AtomicInteger();
        CountDownLatch newerRan = new CountDownLatch(1);
        WorkQueue slowRetries = new WorkQueue("test-slow-retries", 2,
                new Retry(Duration.ofMillis(300), 1, Duration.ofMillis(300), 0));
        try {
            slowRetries.submit("k", "fails", () -> {
                failedRuns.incrementAndGet();
                throw new IllegalStateException("always");
            });
            slowRetries.awaitIdle(LONG);
            slowRetries.submit("k", "newer", newerRan::countDown);
            assertThat(newerRan.await(30, TimeUnit.SECONDS)).isTrue();
            slowRetries.awaitIdle(LONG);
            // Past the retry's delay: the failed work was not run again, newer work replaced it.
            Thread.sleep(600);
            assertThat(failedRuns.get()).isEqualTo(1);
        } finally {
            slowRetries.close();
        }
    }

    private static void track(AtomicInteger running, AtomicInteger mostAtOnce) {
        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
