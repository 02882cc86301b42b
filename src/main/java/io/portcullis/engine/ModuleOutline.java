package io.portcullis.engine;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What OPA's parser reads in a Rego module, for checks made before compiling (Gatekeeper's template rules): the
 * package, the imports, the top-level rules and the shape of their heads, the references rooted at {@code data}
 * and the calls to {@code http.send}, each with its 1-based line and column. See {@link PolicyEngine#outline}.
 */
public record ModuleOutline(
        List<String> packagePath,
        Position packagePosition,
        List<Import> imports,
        List<Rule> rules,
        List<Ref> dataRefs,
        List<Position> httpSendCalls) {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public ModuleOutline {
        packagePath = List.copyOf(packagePath);
        imports = List.copyOf(imports);
        rules = List.copyOf(rules);
        dataRefs = List.copyOf(dataRefs);
        httpSendCalls = List.copyOf(httpSendCalls);
    }

    public record Position(int line, int column) {
    }

    /** An import's path as segments, e.g. {@code [data, lib, helpers]}. */
    public record Import(List<String> path, Position position) {
        public String text() {
            return refText(path);
        }
    }

    /** How a rule's head reads: {@code violation[x] {...}} and {@code violation contains x if {...}} are partial sets. */
    public enum HeadKind { PARTIAL_SET, PARTIAL_OBJECT, FUNCTION, COMPLETE }

    public record Rule(String name, HeadKind head, Position position) {
    }

    /**
     * A reference rooted at {@code data}: its leading constant segments ({@code [data, inventory, namespace]} for
     * {@code data.inventory.namespace[ns]}) and the reference as OPA prints it.
     */
    public record Ref(List<String> constantPrefix, String text, Position position) {
    }

    /** A reference as Rego writes it: {@code data.lib["a-b"]}. */
    public static String refText(List<String> segments) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            if (i == 0) {
                sb.append(s);
            } else if (IDENTIFIER.matcher(s).matches()) {
                sb.append('.').append(s);
            } else {
                sb.append("[\"").append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
            }
        }
        return sb.toString();
    }
}
