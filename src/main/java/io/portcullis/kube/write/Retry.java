package io.portcullis.kube.write;

import java.time.Duration;

/**
 * When a failed piece of work is tried again: after {@code initial}, each further wait {@code multiplier} times the
 * one before, never more than {@code max}; at most {@code maxAttempts} attempts in all (0: no limit). Modelled on
 * java-operator-sdk's GenericRetry, so every controller and every write backs off the same way.
 */
public record Retry(Duration initial, double multiplier, Duration max, int maxAttempts) {
    /** Controllers: a reconcile that failed (API server unreachable, a CRD not served yet) is tried until it works. */
    public static final Retry CONTROLLER = new Retry(Duration.ofMillis(500), 2, Duration.ofSeconds(30), 0);
    /**
     * Writes to the API server (status, finalizers): Gatekeeper's backoff for its status writes, 5 attempts
     * doubling from 1 s. A write that still fails is left to the next event or run.
     */
    public static final Retry WRITE = new Retry(Duration.ofSeconds(1), 2, Duration.ofSeconds(16), 5);

    public Retry {
        if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1 || maxAttempts < 0) {
            throw new IllegalArgumentException("not a retry policy: " + initial + " x" + multiplier + " up to " + max);
        }
    }

    /** The wait after the {@code failures}-th failure in a row (1 for the first). */
    public Duration delay(int failures) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, failures - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }

    /** Whether another attempt follows the {@code failures}-th failure. */
    public boolean again(int failures) {
        return maxAttempts == 0 || failures < maxAttempts;
    }
}
