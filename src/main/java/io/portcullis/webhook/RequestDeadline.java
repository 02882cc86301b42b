package io.portcullis.webhook;

import java.time.Duration;

/**
 * When one admission request must be answered: its start ({@link RequestStart}) plus the configured deadline.
 * Times are {@link System#nanoTime()} values.
 *
 * @param startNanos when Tomcat started reading the request
 * @param deadline   {@code portcullis.webhook.deadline}
 */
record RequestDeadline(long startNanos, Duration deadline) {

    long remainingNanos() {
        return startNanos + deadline.toNanos() - System.nanoTime();
    }

    boolean passed() {
        return remainingNanos() <= 0;
    }

    /** The configured deadline as people write it: {@code 3s}, {@code 1500ms}. */
    @Override
    public String toString() {
        return deadline.toMillis() % 1000 == 0 ? deadline.toSeconds() + "s" : deadline.toMillis() + "ms";
    }
}
