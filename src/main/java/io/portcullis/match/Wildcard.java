package io.portcullis.match;

/**
 * Gatekeeper's namespace and name globs ([GK] pkg/wildcard/wildcard.go): a {@code *} only at the start and/or the
 * end of the pattern. {@code abc*} is a prefix match, {@code *abc} a suffix match, {@code *abc*} a substring match,
 * and {@code *} alone matches any string including the empty one. A pattern without {@code *} must match exactly.
 */
public final class Wildcard {
    private Wildcard() {
    }

    public static boolean matches(String pattern, String candidate) {
        boolean prefix = pattern.endsWith("*");
        boolean suffix = pattern.startsWith("*");
        if (pattern.equals("*")) {
            return true;
        }
        if (prefix && suffix) {
            return candidate.contains(pattern.substring(1, pattern.length() - 1));
        }
        if (prefix) {
            return candidate.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        if (suffix) {
            return candidate.endsWith(pattern.substring(1));
        }
        return candidate.equals(pattern);
    }

    /**
     * The {@code match.name} test against an object's {@code metadata.generateName}: only the prefix form
     * ({@code x*}) and the contains form ({@code *x*}) can say anything about a name that is not chosen yet.
     */
    public static boolean matchesGenerateName(String pattern, String generateName) {
        if (generateName.isEmpty() || !pattern.endsWith("*") || pattern.equals("*")) {
            return false;
        }
        if (pattern.startsWith("*")) {
            return generateName.contains(pattern.substring(1, pattern.length() - 1));
        }
        return generateName.startsWith(pattern.substring(0, pattern.length() - 1));
    }
}
