package io.portcullis.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The violations of one constraint in one audit run: every one is counted, only the {@code limit} smallest in
 * {@link StatusViolation#ORDER} are kept (Gatekeeper's --constraint-violations-limit), so memory stays bounded
 * however many objects violate. Not thread-safe; a run reviews objects one at a time.
 */
final class ViolationTally {
    private final int limit;
    /** Largest first, so the entry to drop when a smaller one arrives is at the head. */
    private final PriorityQueue<StatusViolation> kept;
    private long total;

    ViolationTally(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("the violations limit must not be negative: " + limit);
        }
        this.limit = limit;
        this.kept = new PriorityQueue<>(Math.max(1, Math.min(limit, 1024)), StatusViolation.ORDER.reversed());
    }

    void add(StatusViolation violation) {
        total++;
        if (limit == 0) {
            return;
        }
        if (kept.size() < limit) {
            kept.add(violation);
        } else if (StatusViolation.ORDER.compare(violation, kept.peek()) < 0) {
            kept.poll();
            kept.add(violation);
        }
    }

    long total() {
        return total;
    }

    /** The kept entries, smallest first. */
    List<StatusViolation> kept() {
        List<StatusViolation> out = new ArrayList<>(kept);
        out.sort(StatusViolation.ORDER);
        return out;
    }
}
