package io.portcullis.constraint.cel;

import java.util.List;
import java.util.regex.Pattern;

/**
 * cel-go's wording for dev.cel's evaluation errors. Gatekeeper (and gator) print a failing validation as
 * {@code expression '...' resulted in error: <cel-go error>}, and users, tests and the gator differential test
 * compare those texts; dev.cel words the same errors differently, so its texts are translated here, in one
 * place. Texts from [CEL-GO] v0.26.0 common/types (map.go, list.go, err.go) and interpreter/attributes.go.
 * An error without a translation keeps dev.cel's text.
 */
final class CelGoErrors {
    private record Rule(Pattern devCel, String celGo) {
    }

    private static final List<Rule> RULES = List.of(
            // [CEL-GO] common/types/map.go, interpreter/attributes.go: "no such key: %v"
            new Rule(Pattern.compile("^key '(.*)' is not present in map\\.?$", Pattern.DOTALL), "no such key: $1"),
            // [CEL-GO] common/types/err.go
            new Rule(Pattern.compile("^/ by zero$"), "division by zero"),
            new Rule(Pattern.compile("^No matching overload for function .*", Pattern.DOTALL), "no such overload"));

    private CelGoErrors() {
    }

    /** dev.cel's error text (without its position prefix) as cel-go words it. */
    static String text(String devCel) {
        for (Rule rule : RULES) {
            var m = rule.devCel().matcher(devCel);
            if (m.matches()) {
                return m.replaceFirst(rule.celGo());
            }
        }
        return devCel;
    }
}
