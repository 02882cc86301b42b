package io.portcullis.mutation.gatekeeper;

import java.util.regex.Pattern;

/**
 * A container image split the way AssignImage splits it: {@code domain/path:tag} or {@code domain/path@digest}.
 * The first component is a domain only when it contains {@code .} or {@code :} or is {@code localhost}, as in
 * Docker's reference grammar; no default registry or tag is implied.
 */
record ImageReference(String domain, String path, String tag) {
    private static final Pattern DOMAIN = Pattern.compile("(^\\w[\\w\\-_]*\\.[\\w\\-_.]*\\w(:\\d+)?$)|(^localhost(:\\d+)?$)");
    private static final Pattern PATH = Pattern.compile("^[a-z0-9]+(?:(?:(?:[._/]|__|-*)[a-z0-9]+)+)?");
    private static final Pattern TAG = Pattern.compile(
            "(^:\\w[\\w.-]{0,127}$)|(^@[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$)");

    static ImageReference parse(String image) {
        String domain = "";
        String remainder = image;
        int slash = image.indexOf('/');
        if (slash >= 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                domain = first;
                remainder = image.substring(slash + 1);
            }
        }
        int tagStart = indexOfAny(remainder, ":@");
        return tagStart < 0
                ? new ImageReference(domain, remainder, "")
                : new ImageReference(domain, remainder.substring(0, tagStart), remainder.substring(tagStart));
    }

    /** This image with each non-empty part replaced. */
    ImageReference with(String newDomain, String newPath, String newTag) {
        return new ImageReference(
                newDomain.isEmpty() ? domain : newDomain,
                newPath.isEmpty() ? path : newPath,
                newTag.isEmpty() ? tag : newTag);
    }

    @Override
    public String toString() {
        return (domain.isEmpty() ? "" : domain + "/") + path + tag;
    }

    /**
     * Checks AssignImage's parameters. The checks keep the mutation convergent: a part that contains a separator
     * would be split differently the next time round and "leak" into its neighbour.
     */
    static void validateParts(String domain, String path, String tag) {
        if (domain.isEmpty() && path.isEmpty() && tag.isEmpty()) {
            throw new IllegalArgumentException("at least one of [assignDomain, assignPath, assignTag] must be set");
        }
        if (!domain.isEmpty() && !DOMAIN.matcher(domain).find()) {
            throw new IllegalArgumentException("assignDomain \"" + domain + "\" does not match pattern " + DOMAIN.pattern());
        }
        if (!path.isEmpty()) {
            var m = PATH.matcher(path);
            if (!m.lookingAt() || m.end() != path.length()) {
                throw new IllegalArgumentException("assignPath \"" + path + "\" does not match pattern " + PATH.pattern());
            }
        }
        if (!tag.isEmpty() && !TAG.matcher(tag).find()) {
            throw new IllegalArgumentException("assignTag \"" + tag + "\" does not match pattern " + TAG.pattern());
        }
        if (domain.isEmpty() && !parse(path).domain().isEmpty()) {
            throw new IllegalArgumentException("assignDomain must be set if the first part of assignPath \"" + path
                    + "\" can be interpreted as part of a domain");
        }
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
