package io.portcullis.constraint;

import io.portcullis.engine.CompileError;
import java.util.List;
import java.util.Optional;

/**
 * Where a Rego error is in the YAML file the template came from. OPA counts lines and columns within the Rego
 * (the {@code rego:} block); a user editing {@code template.yaml} wants the file's own line. A block scalar
 * ({@code rego: |}) keeps the Rego's lines one to one, only indented, so the Rego is found in the file and the
 * position shifted; a template whose Rego cannot be found that way (JSON, a quoted string) gets no position.
 */
public final class RegoInFile {
    private RegoInFile() {
    }

    /** {@code file:line:column} of the error in the file, when the error's module is one of this template's. */
    public static Optional<String> locate(String fileText, String fileName, ConstraintTemplate template, CompileError error) {
        RegoCode code = template.rego();
        if (code == null || error.line() <= 0) {
            return Optional.empty();
        }
        String source = null;
        if (error.module().equals(TemplateCompiler.moduleName(template, ""))) {
            source = code.rego();
        }
        for (int i = 0; source == null && i < code.libs().size(); i++) {
            if (error.module().equals(TemplateCompiler.moduleName(template, ".lib" + i))) {
                source = code.libs().get(i);
            }
        }
        if (source == null) {
            return Optional.empty();
        }
        List<String> file = fileText.lines().toList();
        List<String> rego = source.lines().toList();
        int first = 0;
        while (first < rego.size() && rego.get(first).isBlank()) {
            first++;
        }
        if (first == rego.size()) {
            return Optional.empty();
        }
        for (int start = 0; start + rego.size() <= file.size(); start++) {
            int indent = file.get(start + first).indexOf(rego.get(first));
            if (indent >= 0 && file.get(start + first).substring(0, indent).isBlank() && sameLines(file, start, rego, indent)) {
                return Optional.of(fileName + ":" + (start + error.line()) + ":" + (indent + Math.max(1, error.column())));
            }
        }
        return Optional.empty();
    }

    private static boolean sameLines(List<String> file, int start, List<String> rego, int indent) {
        for (int k = 0; k < rego.size(); k++) {
            String want = rego.get(k);
            String got = file.get(start + k);
            boolean same = want.isEmpty() ? got.isBlank()
                    : got.length() >= indent && got.substring(0, indent).isBlank() && got.substring(indent).equals(want);
            if (!same) {
                return false;
            }
        }
        return true;
    }
}
