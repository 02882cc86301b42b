package io.portcullis.mutation.match;

/**
 * Gatekeeper's namespace and name patterns: a {@code *} only at the start and/or the end. {@code abc*} is a prefix,
 * {@code *abc} a suffix, {@code *abc*} a substring; without {@code *} the match is exact; {@code *} alone matches
 * anything, the empty string included.
 */
public final class Wildcard {
    private Wildcard() {
    }

    public static boolean matches(String pattern, String candidate) {
        boolean leading = pattern.startsWith("*");
        boolean trailing = pattern.length() > (leading ? 1 : 0) && pattern.endsWith("*");
        String core = pattern.substring(leading ? 1 : 0, pattern.length() - (trailing ? 1 : 0));
        if (leading && trailing) {
            return candidate.contains(core);
        }
        if (leading) {
            return candidate.endsWith(core);
        }
        if (trailing) {
            return candidate.startsWith(core);
        }
        return candidate.equals(pattern);
    }

    /**
     * The match against {@code metadata.generateName}: only the prefix form ({@code x*}) and the contains form
     * ({@code *x*}) can say anything about the names the API server will generate.
     */
    public static boolean matchesGenerateName(String pattern, String generateName) {
        boolean leading = pattern.startsWith("*");
        boolean trailing = pattern.length() > 1 && pattern.endsWith("*");
        if (!trailing) {
            return false;
        }
        String core = pattern.substring(leading ? 1 : 0, pattern.length() - 1);
        return leading ? generateName.contains(core) : generateName.startsWith(core);
    }
}
