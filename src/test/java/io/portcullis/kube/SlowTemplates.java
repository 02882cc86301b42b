package io.portcullis.kube;

import java.util.Locale;
import java.util.UUID;

/** ConstraintTemplates whose Rego the real OPA compiler takes seconds on: many rules, each compiled to wasm. */
final class SlowTemplates {
    private SlowTemplates() {
    }

    /** A template of this kind with {@code rules} violation rules; unique each call, so no cache knows it. */
    static String template(String kind, int rules) {
        StringBuilder rego = new StringBuilder();
        String pkg = kind.toLowerCase(Locale.ROOT);
        rego.append("package ").append(pkg).append('\n');
        rego.append("# ").append(UUID.randomUUID()).append('\n');
        for (int i = 0; i < rules; i++) {
            rego.append("violation[{\"msg\": msg}] {\n")
                    .append("  input.review.object.metadata.labels[\"l").append(i).append("\"] == \"v").append(i).append("\"\n")
                    .append("  msg := sprintf(\"label l%v is %v\", [").append(i).append(", input.review.object.metadata.name])\n")
                    .append("}\n");
        }
        StringBuilder yaml = new StringBuilder("""
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata:
                  name: %s
                spec:
                  crd:
                    spec:
                      names:
                        kind: %s
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      rego: |
                """.formatted(pkg, kind));
        for (String line : rego.toString().split("\n")) {
            yaml.append("          ").append(line).append('\n');
        }
        return yaml.toString();
    }
}
