package io.portcullis.engine.builtins;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Go's strings.NewReplacer(old1, new1, old2, new2, ...).Replace(s), which OPA's replace and strings.replace_n
 * are: at each byte of s, the first pair (in argument order) whose old string starts there is replaced, without
 * overlapping; an empty old string matches before every byte and at the end, except right after another empty
 * match. Go works on bytes, so an empty old string splits multi-byte characters; each byte left alone that way
 * becomes U+FFFD, as OPA prints such a string.
 */
final class GoReplacer {
    private GoReplacer() {}

    /** One old/new pair, in priority order. */
    record Pair(String old, String replacement) {}

    static String replace(String s, List<Pair> pairs) {
        byte[] src = s.getBytes(StandardCharsets.UTF_8);
        byte[][] olds = new byte[pairs.size()][];
        byte[][] news = new byte[pairs.size()][];
        int empty = -1;
        for (int k = 0; k < pairs.size(); k++) {
            olds[k] = pairs.get(k).old().getBytes(StandardCharsets.UTF_8);
            news[k] = pairs.get(k).replacement().getBytes(StandardCharsets.UTF_8);
            if (olds[k].length == 0 && empty < 0) {
                empty = k;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(src.length + 16);
        boolean prevMatchEmpty = false;
        for (int i = 0; i <= src.length; ) {
            int best = -1;
            for (int k = 0; k < olds.length && (empty < 0 || k < empty || prevMatchEmpty); k++) {
                if (olds[k].length > 0 && startsWith(src, i, olds[k])) {
                    best = k;
                    break;
                }
            }
            if (best < 0 && empty >= 0 && !prevMatchEmpty) {
                best = empty;
            }
            if (best >= 0) {
                out.writeBytes(news[best]);
                i += olds[best].length;
                prevMatchEmpty = olds[best].length == 0;
                continue;
            }
            prevMatchEmpty = false;
            if (i < src.length) {
                out.write(src[i]);
            }
            i++;
        }
        return decodeAsGoPrints(out.toByteArray());
    }

    private static boolean startsWith(byte[] s, int at, byte[] prefix) {
        return s.length - at >= prefix.length && java.util.Arrays.equals(s, at, at + prefix.length, prefix, 0, prefix.length);
    }

    /** UTF-8 to text as Go's encoders print it: each byte that does not start a valid sequence is one U+FFFD. */
    static String decodeAsGoPrints(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        for (int i = 0; i < b.length; ) {
            int n = sequenceLength(b, i);
            if (n == 0) {
                out.append('\uFFFD');
                i++;
            } else {
                out.append(new String(b, i, n, StandardCharsets.UTF_8));
                i += n;
            }
        }
        return out.toString();
    }

    /** The length of the valid UTF-8 sequence at i (Go's utf8.DecodeRune rules), or 0. */
    private static int sequenceLength(byte[] b, int i) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) {
            return 1;
        }
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            lo = b0 == 0xE0 ? 0xA0 : 0x80;
            hi = b0 == 0xED ? 0x9F : 0xBF;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            lo = b0 == 0xF0 ? 0x90 : 0x80;
            hi = b0 == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (i + n > b.length) {
            return 0;
        }
        for (int k = 1; k < n; k++) {
            int c = b[i + k] & 0xFF;
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) {
                return 0;
            }
        }
        return n;
    }
}
