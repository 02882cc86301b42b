package io.portcullis.constraint.cel;

import java.util.List;

/**
 * The Kubernetes list functions ([K8S] apiserver/pkg/cel/library/lists.go) over CEL's Java values: ints are
 * {@code Long}, doubles {@code Double}, strings {@code String}.
 */
final class KubeLists {
    private KubeLists() {
    }

    static boolean isSorted(List<?> list) {
        for (int i = 1; i < list.size(); i++) {
            if (compare(list.get(i - 1), list.get(i)) > 0) {
                return false;
            }
        }
        return true;
    }

    /** The sum, 0 (or 0.0) for an empty list; int overflow is an error as in CEL. */
    static Object sum(List<?> list) {
        if (list.isEmpty()) {
            return 0L;
        }
        if (list.get(0) instanceof Double) {
            double total = 0;
            for (Object o : list) {
                total += ((Number) o).doubleValue();
            }
            return total;
        }
        long total = 0;
        for (Object o : list) {
            total = Math.addExact(total, ((Number) o).longValue());
        }
        return total;
    }

    /** The least ({@code direction} -1) or greatest (1) element; an empty list is an error. */
    static Object extreme(List<?> list, int direction, String name) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException(name + " called on empty list");
        }
        Object best = list.get(0);
        for (Object o : list) {
            if (Integer.signum(compare(o, best)) == direction) {
                best = o;
            }
        }
        return best;
    }

    static int indexOf(List<?> list, Object x) {
        for (int i = 0; i < list.size(); i++) {
            if (same(list.get(i), x)) {
                return i;
            }
        }
        return -1;
    }

    static int lastIndexOf(List<?> list, Object x) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (same(list.get(i), x)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return a.equals(b);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y && a.getClass() != b.getClass()) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof Comparable c && a.getClass() == b.getClass()) {
            return c.compareTo(b);
        }
        throw new IllegalArgumentException("no such overload: compare " + a.getClass().getSimpleName() + " and "
                + b.getClass().getSimpleName());
    }
}
