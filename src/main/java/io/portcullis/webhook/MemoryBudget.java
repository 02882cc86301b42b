package io.portcullis.webhook;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.util.unit.DataSize;

/**
 * The heap that admission requests may hold at once. Each request reserves its estimated cost ({@link RequestCost})
 * before its body is parsed and gives it back when nothing of it is in use any more; a request that does not fit is
 * refused instead of being parsed, so that many large reviews at once end in rejections rather than in an
 * {@link OutOfMemoryError}.
 */
public final class MemoryBudget {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    public MemoryBudget(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("the memory budget must be positive, got " + capacityBytes + " bytes");
        }
        this.capacity = capacityBytes;
    }

    /**
     * A budget from {@code portcullis.webhook.memory-budget}: a share of the maximum heap ({@code 50%}) or a size
     * ({@code 256MB}).
     */
    public static MemoryBudget of(String setting, long maxHeapBytes) {
        String value = setting.strip();
        if (value.endsWith("%")) {
            double percent;
            try {
                percent = Double.parseDouble(value.substring(0, value.length() - 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(invalid(setting));
            }
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException(invalid(setting));
            }
            return new MemoryBudget((long) (maxHeapBytes * percent / 100));
        }
        try {
            return new MemoryBudget(DataSize.parse(value).toBytes());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(invalid(setting));
        }
    }

    private static String invalid(String setting) {
        return "portcullis.webhook.memory-budget must be a share of the heap such as 50% or a size such as 256MB, got \""
                + setting + "\"";
    }

    public long capacity() {
        return capacity;
    }

    public long used() {
        return used.get();
    }

    /** Reserves this many bytes, or returns null when they do not fit beside what is reserved now. */
    public Reservation tryReserve(long bytes) {
        return take(bytes) ? new Reservation(bytes) : null;
    }

    private boolean take(long bytes) {
        while (true) {
            long now = used.get();
            if (bytes > capacity - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Why {@code bytes} were not reserved, for the rejection's message. */
    Refusal refusal(long bytes) {
        if (bytes > capacity) {
            return new Refusal(413, "RequestEntityTooLarge", "the review would need about " + mib(bytes)
                    + " of memory, more than the webhook's whole memory budget of " + mib(capacity)
                    + " (portcullis.webhook.memory-budget)");
        }
        return new Refusal(429, "TooManyRequests", "too many requests in flight: the review would need about "
                + mib(bytes) + " of memory and the webhook's memory budget of " + mib(capacity)
                + " is in use by other reviews; try again");
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    /**
     * The bytes one request holds. Several parties may hold it (the request thread, the handler that still runs
     * after the answer was sent): it is given back when the last one releases it.
     */
    public final class Reservation {
        private long bytes;
        private int holders = 1;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        public synchronized long bytes() {
            return bytes;
        }

        /** Reserves more for the same request; false, and nothing changed, when it does not fit. */
        public synchronized boolean tryGrow(long more) {
            if (holders == 0 || !take(more)) {
                return false;
            }
            bytes += more;
            return true;
        }

        /** One more party holds it until its own {@link #release}. */
        public synchronized Reservation retain() {
            if (holders == 0) {
                throw new IllegalStateException("the reservation was already given back");
            }
            holders++;
            return this;
        }

        /** This party is done with it (once per party); the bytes go back when every party is. */
        public synchronized void release() {
            if (holders == 0) {
                return;
            }
            holders--;
            if (holders == 0) {
                used.addAndGet(-bytes);
                bytes = 0;
            }
        }
    }
}
