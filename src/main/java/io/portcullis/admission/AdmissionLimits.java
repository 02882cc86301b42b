package io.portcullis.admission;

/**
 * Bounds on what the webhook will parse, so that a huge or pathological body gets a clear error instead of
 * exhausting memory or the stack.
 *
 * <p>Defaults and why:
 * <ul>
 * <li>{@code maxRequestBytes} 16 MiB. The API server refuses request bodies over 3 MiB and etcd stores
 * objects up to 1.5 MiB, and an UPDATE review carries the object twice (object and oldObject); controller-runtime
 * (Gatekeeper's server) reads at most 7 MiB. 16 MiB leaves room for both objects plus JSON escaping.</li>
 * <li>{@code maxNestingDepth} 1000 arrays/objects. Built-in kinds nest a few dozen levels; only CRDs with
 * {@code x-kubernetes-preserve-unknown-fields} can go deeper (Go's JSON decoder stops at 10000). Jackson's own
 * default is 500; 1000 keeps any tree we accept well within what recursive code on a normal thread stack
 * handles.</li>
 * <li>{@code maxStringLength} 8 MiB: no single string of a storable object gets near it.</li>
 * </ul>
 * A review over a limit is answered with an HTTP error, which the API server treats like an unreachable
 * webhook (its failurePolicy decides).
 */
public record AdmissionLimits(long maxRequestBytes, int maxNestingDepth, int maxStringLength) {

    public static final AdmissionLimits DEFAULT = new AdmissionLimits(16L << 20, 1000, 8 << 20);

    public AdmissionLimits {
        if (maxRequestBytes <= 0 || maxNestingDepth <= 0 || maxStringLength <= 0) {
            throw new IllegalArgumentException("admission limits must be positive: " + maxRequestBytes + ", "
                    + maxNestingDepth + ", " + maxStringLength);
        }
    }
}
