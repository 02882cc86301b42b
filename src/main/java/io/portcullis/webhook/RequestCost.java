package io.portcullis.webhook;

/**
 * The heap one review needs while it is parsed and evaluated, estimated from its body before it is parsed: a fixed
 * part, a part per byte and a part per structural character ({@code { [ , :}, i.e. per JSON value, counted as the body
 * streams in). Shape matters more than size: 3 MiB of Pod with 75,000 small env entries needs ten times the heap of
 * 3 MiB of one annotation.
 *
 * <p>Measured on JDK 25 with the gatekeeper-library templates (Jackson tree after GC; one wasm instance's linear memory
 * after evaluating the review), for 1-3 MiB Pods of four shapes (one long string; env entries; labels; empty arrays):
 * <ul>
 * <li>the parsed tree: about 1.3 bytes per byte plus 30-80 bytes per structural character;</li>
 * <li>the Rego input: the review serialised once, plus once per evaluated constraint with its parameters (about 3
 * bytes per byte at once, with Jackson's buffer copies);</li>
 * <li>a wasm instance evaluating it: the input copied into linear memory and parsed there by OPA, about 3 bytes per
 * byte plus 70-120 bytes per structural character, and twice that for a moment whenever the memory grows (Chicory
 * copies it into a larger buffer); at least about 400 KiB even for a small review.</li>
 * </ul>
 * Rounded up: 512 KiB + 12 per byte + 300 per structural character. A 10 KiB Pod costs about 1 MiB; a dense 3 MiB
 * one about 150 MiB.
 */
final class RequestCost {

    static final long BASE_BYTES = 512 << 10;
    static final long PER_BYTE = 12;
    static final long PER_STRUCTURAL = 300;

    private RequestCost() {
    }

    /** The cost of a body of this many bytes, of which this many are structural characters. */
    static long of(long bytes, long structural) {
        return BASE_BYTES + bytes * PER_BYTE + structural * PER_STRUCTURAL;
    }

    /** The number of structural characters in this part of a body. */
    static int structural(byte[] buf, int off, int len) {
        int count = 0;
        for (int i = off, end = off + len; i < end; i++) {
            byte b = buf[i];
            if (b == '{' || b == '[' || b == ',' || b == ':') {
                count++;
            }
        }
        return count;
    }
}
