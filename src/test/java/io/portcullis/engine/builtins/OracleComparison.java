package io.portcullis.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a table of calls through OPA (the oracle) and through our Java builtin, and reports every call where they
 * differ. Arguments are Rego literals; OPA gets them hidden from its type checker so that bad ones reach the
 * builtin, and Java gets them decoded by {@link RegoValues#parse}.
 */
final class OracleComparison {
    private final HostBuiltin builtin;
    /** The builtin's name in OPA: our compiler calls some OPA builtins by a host name of ours. */
    private final String opaName;
    private final List<List<String>> calls = new ArrayList<>();
    private boolean compareErrorMessages = true;

    OracleComparison(HostBuiltin builtin) {
        this(builtin, builtin.name());
    }

    OracleComparison(HostBuiltin builtin, String opaName) {
        this.builtin = builtin;
        this.opaName = opaName;
    }

    OracleComparison call(String... args) {
        calls.add(List.of(args));
        return this;
    }

    /** For errors whose wording comes from a library (Go's regexp, time parsing): only error vs error matters. */
    OracleComparison ignoringErrorMessages() {
        compareErrorMessages = false;
        return this;
    }

    int size() {
        return calls.size();
    }

    /** Asserts that Java agrees with OPA on every call; returns the number of calls checked. */
    int assertAgrees() {
        List<String> expressions = calls.stream()
                .map(args -> opaName + "(" + String.join(", ", args.stream().map(OpaOracle::untyped).toList()) + ")")
                .toList();
        List<OpaOracle.Outcome> expected = OpaOracle.get().evaluate(expressions);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String want = describe(expected.get(i));
            String got = javaOutcome(calls.get(i));
            if (!want.equals(got)) {
                mismatches.add(abbreviate(expressions.get(i)) + "\n    OPA:  " + abbreviate(want) + "\n    Java: " + abbreviate(got));
            }
        }
        assertThat(mismatches)
                .as("%d of %d calls differ from OPA, e.g.:%n%s", mismatches.size(), calls.size(),
                        String.join("\n", mismatches.subList(0, Math.min(40, mismatches.size()))))
                .isEmpty();
        System.out.printf("[oracle] %s: %d calls agree with OPA%n", builtin.name(), calls.size());
        return calls.size();
    }

    /** Calls with long inputs stay readable in the report. */
    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 200) + "...(" + (s.length() - 280) + " more)..." + s.substring(s.length() - 80);
    }

    private String describe(OpaOracle.Outcome outcome) {
        return switch (outcome) {
            case OpaOracle.Value v -> "value " + RegoValues.toCanonicalText(v.value());
            case OpaOracle.Undefined u -> "undefined";
            case OpaOracle.Failure f -> compareErrorMessages ? "error " + f.code() + ": " + f.message() : "error " + f.code();
        };
    }

    private String javaOutcome(List<String> args) {
        try {
            List<JsonNode> values = args.stream().map(RegoValues::parse).toList();
            JsonNode result = builtin.call(values);
            return result == null ? "undefined" : "value " + RegoValues.toCanonicalText(asJson(result));
        } catch (BuiltinException e) {
            return compareErrorMessages ? "error " + e.code() + ": " + e.getMessage() : "error " + e.code();
        } catch (RuntimeException e) {
            return "crash " + e;
        }
    }

    /** What OPA's JSON answer holds for a value: sets become arrays (in Rego order), non-string keys their text. */
    static JsonNode asJson(JsonNode v) {
        if (v instanceof RegoSetNode) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            RegoValues.sorted(v).forEach(e -> out.add(asJson(e)));
            return out;
        }
        if (v.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            v.forEach(e -> out.add(asJson(e)));
            return out;
        }
        if (v.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            v.properties().forEach(e -> out.set(e.getKey(), asJson(e.getValue())));
            return out;
        }
        return v;
    }
}
