package io.portcullis.constraint;

import io.portcullis.engine.ModuleOutline;
import io.portcullis.engine.RegoModule;
import io.portcullis.engine.RegoVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * The hook module that evaluates many constraints of one or more templates in a single query, as the constraint
 * framework's Rego driver does per template ([FW] constraint/pkg/client/drivers/rego/rego.go), extended to several
 * templates so one review is parsed into wasm memory once for all of them.
 *
 * <p>Input: {@code {"review": <input.review>, "constraints": {"<Kind>": [{"name": .., "parameters": ..}, ..]}}}:
 * only the constraints whose match selected the object. For each template a rule runs the template's
 * {@code violation} with {@code input} replaced by Gatekeeper's per-constraint input
 * {@code {"review", "parameters"}}. Output: a set of {@code {"kind", "name", "msg", "details"}}; results without a
 * {@code msg} are dropped and {@code details} defaults to {@code {}}, exactly as in Gatekeeper's hook.
 */
final class BatchHook {
    static final String PACKAGE = "portcullis_batch";
    /** The wasm entrypoint of the hook. */
    static final String ENTRYPOINT = PACKAGE + "/violation";

    /** One template the hook dispatches to: its constraint kind and the package of its {@code violation} rule. */
    record Target(String kind, List<String> packagePath) {
    }

    private BatchHook() {
    }

    static RegoModule module(List<Target> targets) {
        StringBuilder rego = new StringBuilder("package " + PACKAGE + "\n");
        for (Target target : targets) {
            List<String> ref = new ArrayList<>();
            ref.add("data");
            ref.addAll(target.packagePath());
            ref.add("violation");
            String kind = quote(target.kind());
            rego.append("\nviolation contains {\"kind\": ").append(kind)
                    .append(", \"name\": c.name, \"msg\": r.msg, \"details\": object.get(r, \"details\", {})} if {\n")
                    .append("\tsome c in input.constraints[").append(kind).append("]\n")
                    .append("\tsome r in ").append(ModuleOutline.refText(ref))
                    .append(" with input as {\"review\": input.review, \"parameters\": c.parameters}\n")
                    .append("}\n");
        }
        return new RegoModule(PACKAGE + ".rego", rego.toString(), RegoVersion.V1);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
