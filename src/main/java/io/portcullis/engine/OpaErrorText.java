package io.portcullis.engine;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the wasm runtime's error for a conflict into the text OPA's Go evaluator gives for it, so an evaluation
 * error reads the same as under Gatekeeper, which turns the error text into the violation's message.
 *
 * <p>OPA's wasm code aborts with {@code FILE:ROW:COL: var assignment conflict} (a complete rule or a function
 * produced two different values) or {@code FILE:ROW:COL: object insert conflict} (two values for one key of an
 * object rule or comprehension). OPA's Go evaluator says instead {@code FILE:ROW: eval_conflict_error: MESSAGE}
 * (topdown's Error and Location.String), at the same rule head, with the messages of the OPA version Gatekeeper
 * v3.23 links (v1.17, topdown/errors.go): functions and complete rules get different ones, which the wasm text
 * does not tell apart, so each module's outline says which kind of rule contains the row. Module names are
 * mapped too (ours name the template's file, Gatekeeper's are {@code template} and {@code libs["lib_0"]}...).
 *
 * <p>Immutable; any other message (out of memory, internal errors) is kept as it is.
 */
public final class OpaErrorText {
    /** The wasm runtime's opa_runtime_error text; the file may itself contain colons. */
    private static final Pattern RUNTIME_ERROR = Pattern.compile("(?s)(.*):(\\d+):(\\d+): (var assignment conflict|object insert conflict)");

    static final String CODE = "eval_conflict_error";
    static final String FUNCTION_CONFLICT = "functions must not produce multiple outputs for same inputs";
    static final String COMPLETE_RULE_CONFLICT = "complete rules must not produce multiple outputs";
    static final String OBJECT_KEY_CONFLICT = "object keys must be unique";

    /** No modules known: messages pass through unchanged. */
    public static final OpaErrorText NONE = new OpaErrorText(Map.of());

    /** A compiled module as errors should name it, and its top-level rules. */
    private record Module(String errorName, List<ModuleOutline.Rule> rules) {
    }

    private final Map<String, Module> modules;

    private OpaErrorText(Map<String, Module> modules) {
        this.modules = Map.copyOf(modules);
    }

    /**
     * Also knows the module compiled as {@code compiledName}: errors in it name it {@code errorName}, and its
     * outline tells functions from complete rules.
     */
    public OpaErrorText with(String compiledName, String errorName, ModuleOutline outline) {
        Map<String, Module> more = new HashMap<>(modules);
        List<ModuleOutline.Rule> rules = outline.rules().stream()
                .sorted(Comparator.comparingInt((ModuleOutline.Rule r) -> r.position().line())
                        .thenComparingInt(r -> r.position().column()))
                .toList();
        more.put(compiledName, new Module(errorName, rules));
        return new OpaErrorText(more);
    }

    /** Knows the modules of both, as for a module compiled from both sets (a group of templates). */
    public OpaErrorText and(OpaErrorText other) {
        Map<String, Module> more = new HashMap<>(other.modules);
        more.putAll(modules);
        return new OpaErrorText(more);
    }

    /** OPA's text for the wasm runtime's abort message, or the message itself when it is no conflict we know. */
    public String of(String abortMessage) {
        if (abortMessage == null) {
            return null;
        }
        Matcher m = RUNTIME_ERROR.matcher(abortMessage);
        if (!m.matches()) {
            return abortMessage;
        }
        Module module = modules.get(m.group(1));
        if (module == null) {
            return abortMessage;
        }
        int row = Integer.parseInt(m.group(2));
        String message;
        if (m.group(4).equals("object insert conflict")) {
            message = OBJECT_KEY_CONFLICT;
        } else {
            message = ruleAt(module, row) == ModuleOutline.HeadKind.FUNCTION ? FUNCTION_CONFLICT : COMPLETE_RULE_CONFLICT;
        }
        return module.errorName() + ":" + row + ": " + CODE + ": " + message;
    }

    /**
     * The kind of the rule whose text holds the row: the last one starting at or before it (an else branch or a
     * multi-line head reports a row inside its rule, and rules do not nest).
     */
    private static ModuleOutline.HeadKind ruleAt(Module module, int row) {
        ModuleOutline.HeadKind kind = null;
        for (ModuleOutline.Rule rule : module.rules()) {
            if (rule.position().line() > row) {
                break;
            }
            kind = rule.head();
        }
        return kind;
    }
}
