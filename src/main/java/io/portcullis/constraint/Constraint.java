package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import io.portcullis.match.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated constraint ({@code constraints.gatekeeper.sh} v1beta1 or v1alpha1) of a template's kind, with its
 * schema defaults applied.
 *
 * @param parameters {@code spec.parameters} with defaults, {@code {}} when absent: Rego's input.parameters
 * @param object the constraint as loaded: defaults applied, status removed
 */
public record Constraint(String kind, String name, Match match, Enforcement enforcement, JsonNode parameters,
        ObjectNode object) {

    public static final String GROUP = "constraints.gatekeeper.sh";
    private static final List<String> VERSIONS = List.of("v1alpha1", "v1beta1");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** Whether the object is in the constraints group (of any kind). */
    public static boolean isConstraint(JsonNode object) {
        return Gvk.of(object).group().equals(GROUP);
    }

    /**
     * Validates a constraint object against its template as the framework does ([FW] crds/validate.go,
     * [GK] pkg/target/target.go ValidateConstraint) plus the enforcement action rules, with their error texts.
     */
    public static Constraint parse(JsonNode raw, CompiledTemplate template) throws InvalidConstraintException {
        if (!(raw instanceof ObjectNode original)) {
            throw new InvalidConstraintException("invalid Constraint: not an object");
        }
        String name = JsonFields.name(raw);
        Gvk gvk = Gvk.of(raw);
        List<String> nameErrors = new ArrayList<>();
        if (name.length() > 253) {
            nameErrors.add("must be no more than 253 characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(name).matches()) {
            nameErrors.add("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
                    + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }
        if (!nameErrors.isEmpty()) {
            throw new InvalidConstraintException("invalid Constraint: invalid name: \"" + String.join("\n", nameErrors) + "\"");
        }
        String kind = template.template().kind();
        if (!gvk.kind().equals(kind)) {
            throw new InvalidConstraintException("invalid Constraint: wrong kind \"" + gvk.kind() + "\" for constraint \""
                    + name + "\"; want \"" + kind + "\"");
        }
        if (!gvk.group().equals(GROUP)) {
            throw new InvalidConstraintException("invalid Constraint: unsupported group \"" + gvk.group()
                    + "\" for constraint \"" + name + "\"; allowed group: \"" + GROUP + "\"");
        }
        if (!VERSIONS.contains(gvk.version())) {
            throw new InvalidConstraintException("invalid Constraint: unsupported version \"" + gvk.version()
                    + "\" for Constraint \"" + name + "\"; supported versions: map[v1alpha1:true v1beta1:true]");
        }

        ObjectNode object = original.deepCopy();
        object.remove("status");
        ConstraintSchema schema = template.schema();
        // The API server drops non-nullable nulls and applies defaults before validating; so do we.
        schema.applyDefaults(object);
        List<String> schemaErrors = schema.validate(object);
        if (!schemaErrors.isEmpty()) {
            throw new InvalidConstraintException("schema validation failed: " + ConstraintSchema.join(schemaErrors),
                    InvalidConstraintException.Reason.SCHEMA);
        }
        List<String> unknown = schema.unknownFields(object);
        if (!unknown.isEmpty()) {
            throw new InvalidConstraintException("invalid Constraint: unknown fields: [" + String.join(" ", unknown) + "]");
        }
        JsonNode spec = object.path("spec");
        List<String> selectorErrors = new ArrayList<>();
        Match match = Match.parse(spec.path("match"), selectorErrors);
        if (!selectorErrors.isEmpty()) {
            throw new InvalidConstraintException(String.join(", ", selectorErrors));
        }
        Enforcement enforcement = Enforcement.parse(spec);
        JsonNode parameters = spec.get("parameters");
        if (parameters == null || parameters.isNull()) {
            parameters = JsonNodeFactory.instance.objectNode();
        }
        return new Constraint(kind, name, match, enforcement, parameters, object);
    }

    /** The {@code template "<name>" not found} error of a constraint whose kind has no template. */
    static InvalidConstraintException missingTemplate(String kind) {
        return new InvalidConstraintException("missing ConstraintTemplate: template \"" + kind.toLowerCase(Locale.ROOT)
                + "\" not found", InvalidConstraintException.Reason.MISSING_TEMPLATE);
    }
}
