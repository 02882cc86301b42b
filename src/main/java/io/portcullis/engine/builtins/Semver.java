package io.portcullis.engine.builtins;

import java.util.regex.Pattern;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.IntNode;

/** semver.compare and semver.is_valid, with OPA's own SemVer parser (a leading "v" is allowed). */
final class Semver {
    private static final Pattern IDENTIFIERS = Pattern.compile("[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*");

    private Semver() {}

    record Version(long major, long minor, long patch, String preRelease) {
        int compareTo(Version other) {
            int c = Long.compare(major, other.major);
            if (c == 0) {
                c = Long.compare(minor, other.minor);
            }
            if (c == 0) {
                c = Long.compare(patch, other.patch);
            }
            if (c != 0) {
                return Integer.signum(c);
            }
            if (preRelease.equals(other.preRelease)) {
                return 0;
            }
            if (preRelease.isEmpty()) {
                return 1;
            }
            if (other.preRelease.isEmpty()) {
                return -1;
            }
            String[] a = preRelease.split("\\.", -1);
            String[] b = other.preRelease.split("\\.", -1);
            for (int i = 0; ; i++) {
                if (i >= a.length || i >= b.length) {
                    return Integer.compare(a.length, b.length);
                }
                boolean aInt = isAllDecimals(a[i]);
                boolean bInt = isAllDecimals(b[i]);
                if (aInt != bInt) {
                    return aInt ? -1 : 1;
                }
                int d = aInt ? Long.compare(atoi(a[i]), atoi(b[i])) : Integer.signum(RegoValues.compareStrings(a[i], b[i]));
                if (d != 0) {
                    return Integer.signum(d);
                }
            }
        }
    }

    /** OPA's semver.Parse; null when invalid. */
    static Version parse(String version) {
        String v = version.startsWith("v") ? version.substring(1) : version;
        int plus = v.indexOf('+');
        if (plus >= 0) {
            if (!IDENTIFIERS.matcher(v.substring(plus + 1)).matches()) {
                return null;
            }
            v = v.substring(0, plus);
        }
        String pre = "";
        int dash = v.indexOf('-');
        if (dash >= 0) {
            pre = v.substring(dash + 1);
            if (!IDENTIFIERS.matcher(pre).matches() || !validPreRelease(pre)) {
                return null;
            }
            v = v.substring(0, dash);
        }
        String[] parts = v.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        Long major = numeric(parts[0]);
        Long minor = numeric(parts[1]);
        Long patch = numeric(parts[2]);
        if (major == null || minor == null || patch == null) {
            return null;
        }
        return new Version(major, minor, patch, pre);
    }

    private static Long numeric(String s) {
        if (s.isEmpty() || (s.length() > 1 && s.charAt(0) == '0') || !isAllDecimals(s)) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null; // out of int64 range
        }
    }

    private static boolean validPreRelease(String pre) {
        for (String id : pre.split("\\.", -1)) {
            if (id.length() > 1 && id.charAt(0) == '0' && isAllDecimals(id)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllDecimals(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Go's strconv.Atoi as OPA uses it here: out of range clamps to the int64 limits. */
    private static long atoi(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    static HostBuiltin compare() {
        Operands ops = new Operands("semver.compare");
        return new HostBuiltin("semver.compare", 2, args -> {
            String a = ops.string(args.get(0), 1);
            String b = ops.string(args.get(1), 2);
            Version va = parse(a);
            if (va == null) {
                throw ops.error("operand 1: string " + GoQuote.quote(a, false) + " is not a valid SemVer");
            }
            Version vb = parse(b);
            if (vb == null) {
                throw ops.error("operand 2: string " + GoQuote.quote(b, false) + " is not a valid SemVer");
            }
            return IntNode.valueOf(va.compareTo(vb));
        });
    }

    static HostBuiltin isValid() {
        return new HostBuiltin("semver.is_valid", 1,
                args -> BooleanNode.valueOf(args.get(0).isString() && parse(args.get(0).stringValue()) != null));
    }
}
