package io.portcullis.constraint;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI schema of the constraint CRD a template generates ([FW] constraint/pkg/client/crds/schema.go,
 * [GK] pkg/target/matchcrd_constant.go), and validation of constraints against it with networknt's OpenAPI 3.0
 * dialect, which knows {@code nullable}. Immutable and thread-safe.
 */
public final class ConstraintSchema {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String NAMESPACE_PATTERN = "^\\*?[-:a-z0-9]*\\*?$";
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(kubernetesDialect(),
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(false).build()));

    private final ObjectNode crdSchema;
    private final Schema validator;

    /** @param parameters the parameters schema after the legacySchema transform, or null when there is none */
    public ConstraintSchema(JsonNode parameters) {
        this.crdSchema = build(parameters);
        this.validator = REGISTRY.getSchema(crdSchema);
    }

    /** The CRD's {@code openAPIV3Schema} (a copy). */
    public ObjectNode crdSchema() {
        return crdSchema.deepCopy();
    }

    /** The {@code spec.parameters} schema, or null when the template gives none. */
    public JsonNode parametersSchema() {
        return crdSchema.path("properties").path("spec").path("properties").get("parameters");
    }

    /** Schema errors as {@code path: message}, empty when the object is valid. */
    public List<String> validate(JsonNode constraint) {
        List<String> errors = new ArrayList<>();
        for (Error e : validator.validate(constraint)) {
            String path = e.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "").replace('/', '.').replaceFirst("^\\.", "");
            errors.add((path.isEmpty() ? "<root>" : path) + ": " + e.getMessage());
        }
        return errors;
    }

    /** Fields of the constraint the schema does not know, e.g. {@code spec.parameters.foo}. */
    public List<String> unknownFields(JsonNode constraint) {
        return StructuralSchema.unknownFields(constraint, crdSchema);
    }

    /** Applies the CRD's defaults (enforcementAction deny, parameter defaults) to the object in place. */
    public void applyDefaults(JsonNode constraint) {
        StructuralSchema.applyDefaults(constraint, crdSchema);
    }

    private static ObjectNode build(JsonNode parameters) {
        ObjectNode root = NODES.objectNode().put("type", "object");
        ObjectNode props = root.putObject("properties");
        ObjectNode metadata = props.putObject("metadata").put("type", "object");
        metadata.putObject("properties").putObject("name").put("type", "string").put("maxLength", 63);
        metadata.put("x-kubernetes-preserve-unknown-fields", true);

        ObjectNode spec = props.putObject("spec").put("type", "object");
        ObjectNode specProps = spec.putObject("properties");
        specProps.set("match", matchSchema());
        specProps.putObject("enforcementAction").put("type", "string").put("default", Enforcement.DENY);
        ObjectNode scoped = specProps.putObject("scopedEnforcementActions").put("type", "array")
                .putObject("items").put("type", "object");
        ObjectNode scopedProps = scoped.putObject("properties");
        scopedProps.putObject("action").put("type", "string");
        scopedProps.putObject("enforcementPoints").put("type", "array").putObject("items").put("type", "object")
                .putObject("properties").putObject("name").put("type", "string");
        if (parameters != null) {
            specProps.set("parameters", parameters.deepCopy());
        }
        props.putObject("status").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        return root;
    }

    private static ObjectNode matchSchema() {
        ObjectNode match = NODES.objectNode().put("type", "object");
        ObjectNode props = match.putObject("properties");
        ObjectNode kind = props.putObject("kinds").put("type", "array").putObject("items").put("type", "object");
        ObjectNode kindProps = kind.putObject("properties");
        kindProps.set("apiGroups", nullableStrings());
        kindProps.set("kinds", nullableStrings());
        props.putObject("scope").put("type", "string");
        props.set("namespaces", namespaceList());
        props.set("excludedNamespaces", namespaceList());
        props.set("labelSelector", labelSelector());
        props.set("namespaceSelector", labelSelector());
        props.putObject("name").put("type", "string").put("pattern", NAMESPACE_PATTERN);
        props.putObject("source").put("type", "string").putArray("enum").add("All").add("Generated").add("Original");
        return match;
    }

    private static ObjectNode nullableStrings() {
        ObjectNode list = NODES.objectNode().put("type", "array");
        list.putObject("items").put("type", "string").put("nullable", true);
        return list;
    }

    private static ObjectNode namespaceList() {
        ObjectNode list = NODES.objectNode().put("type", "array");
        list.putObject("items").put("type", "string").put("pattern", NAMESPACE_PATTERN);
        return list;
    }

    private static ObjectNode labelSelector() {
        ObjectNode selector = NODES.objectNode().put("type", "object").put("x-kubernetes-map-type", "atomic");
        ObjectNode props = selector.putObject("properties");
        props.putObject("matchLabels").put("type", "object").putObject("additionalProperties").put("type", "string");
        ObjectNode expr = props.putObject("matchExpressions").put("type", "array").putObject("items").put("type", "object");
        ObjectNode exprProps = expr.putObject("properties");
        exprProps.putObject("key").put("type", "string");
        exprProps.putObject("operator").put("type", "string");
        exprProps.putObject("values").put("type", "array").putObject("items").put("type", "string");
        return selector;
    }

    /** OpenAPI 3.0 plus the Kubernetes extension keywords, which say nothing networknt must check. */
    private static Dialect kubernetesDialect() {
        Dialect.Builder builder = Dialect.builder("https://portcullis.io/schemas/kubernetes-openapi-v3", Dialects.getOpenApi30());
        for (String keyword : List.of("x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
                "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
                "x-kubernetes-map-type", "x-kubernetes-validations")) {
            builder.keyword(new NonValidationKeyword(keyword));
        }
        return builder.build();
    }

    static String join(List<String> errors) {
        return errors.stream().collect(Collectors.joining(", ", "[", "]"));
    }
}
