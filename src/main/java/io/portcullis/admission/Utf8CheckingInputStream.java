package io.portcullis.admission;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a body on only while it is well-formed UTF-8, the encoding JSON must use (RFC 8259). Jackson's own
 * decoder lets some ill-formed sequences through: an overlong {@code C0 AF} becomes '/', {@code F4 90 80 80} a
 * code point past U+10FFFF. A policy would then judge characters that the request never contained, so such a
 * body is refused instead.
 *
 * <p>The check follows the Unicode Standard's table of well-formed byte sequences (Table 3-7): the lead byte
 * fixes how many continuation bytes follow, and the range of the first of them excludes overlong forms,
 * surrogates and code points past U+10FFFF.
 */
final class Utf8CheckingInputStream extends FilterInputStream {

    private long offset;
    private int continuations;
    private int low = 0x80;
    private int high = 0xBF;

    Utf8CheckingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            check((byte) b);
        } else {
            checkEnd();
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        for (int i = off; i < off + n; i++) {
            check(buf[i]);
        }
        if (n < 0) {
            checkEnd();
        }
        return n;
    }

    private void check(byte signed) throws InvalidUtf8Exception {
        int b = signed & 0xFF;
        if (continuations > 0) {
            if (b < low || b > high) {
                throw new InvalidUtf8Exception(b, offset);
            }
            continuations--;
            low = 0x80;
            high = 0xBF;
        } else if (b >= 0x80) {
            lead(b);
        }
        offset++;
    }

    private void lead(int b) throws InvalidUtf8Exception {
        if (b >= 0xC2 && b <= 0xDF) {
            continuations = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            continuations = 2;
            if (b == 0xE0) {
                low = 0xA0;     // below: overlong
            } else if (b == 0xED) {
                high = 0x9F;    // above: UTF-16 surrogates
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            continuations = 3;
            if (b == 0xF0) {
                low = 0x90;     // below: overlong
            } else if (b == 0xF4) {
                high = 0x8F;    // above: past U+10FFFF
            }
        } else {
            // 80-BF continue nothing; C0, C1 and F5-FF never occur.
            throw new InvalidUtf8Exception(b, offset);
        }
    }

    private void checkEnd() throws InvalidUtf8Exception {
        if (continuations > 0) {
            throw new InvalidUtf8Exception(-1, offset);
        }
    }

    /** The body is not UTF-8; the message says where. */
    static final class InvalidUtf8Exception extends IOException {
        InvalidUtf8Exception(int b, long offset) {
            super(b < 0 ? "invalid UTF-8: the body ends inside a character"
                    : String.format("invalid UTF-8 at byte %d (0x%02X)", offset + 1, b));
        }
    }
}
