package io.portcullis.constraint;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A parsed and checked ConstraintTemplate ({@code templates.gatekeeper.sh} v1, v1beta1 or v1alpha1).
 *
 * @param name {@code metadata.name}, the lowercase of {@code kind}
 * @param kind the kind of the constraints it defines
 * @param parameters the schema of {@code spec.parameters} after the legacySchema transform, or null for none
 * @param operations {@code targets[0].operations}; empty means all (only the webhook looks at it)
 * @param rego the Rego code, or null when the template has none (CEL only)
 * @param celSource the {@code source} of its {@code K8sNativeValidation} code, or null when it has none
 * @param engines the engines named in {@code targets[0].code[]}, plus Rego for a legacy {@code rego} field
 * @param origin where it was read from (a file name) for messages; may be empty
 * @param object the template object as given
 */
public record ConstraintTemplate(
        String name,
        String kind,
        String apiVersion,
        List<String> shortNames,
        JsonNode parameters,
        List<String> operations,
        RegoCode rego,
        JsonNode celSource,
        List<String> engines,
        String origin,
        JsonNode object) {

    public static final String TARGET = "admission.k8s.gatekeeper.sh";

    public ConstraintTemplate {
        shortNames = List.copyOf(shortNames);
        operations = List.copyOf(operations);
        engines = List.copyOf(engines);
        origin = origin == null ? "" : origin;
    }

    /** Whether requests of this operation reach the template at the webhook (the others skip it). */
    public boolean appliesTo(String operation) {
        return operations.isEmpty() || operations.contains("*") || operations.contains(operation);
    }
}
