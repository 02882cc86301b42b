package io.portcullis.kube;

import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.ConstraintSchema;
import io.portcullis.constraint.ConstraintTemplate;
import io.portcullis.json.JsonFields;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CRD Gatekeeper generates for a template's constraints ([FW] constraint/pkg/client/crds/crds.go, behaviour
 * notes §1.5): {@code <lowercase kind>.constraints.gatekeeper.sh}, cluster-scoped, versions v1beta1 (stored) and
 * v1alpha1, categories {@code constraint, constraints}, the template's labels plus {@code gatekeeper.sh/constraint:
 * "yes"}, and the template as controlling owner so that deleting the template deletes the CRD and its constraints.
 * The schema is the one constraints are validated with ({@link io.portcullis.constraint.ConstraintSchema}).
 */
final class ConstraintCrd {
    static final String LABEL = "gatekeeper.sh/constraint";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConstraintCrd() {
    }

    static String plural(String kind) {
        return kind.toLowerCase(Locale.ROOT);
    }

    static String name(String kind) {
        return plural(kind) + "." + Constraint.GROUP;
    }

    /**
     * @param parsed the template, parsed
     * @param schema the schema its constraints are validated with
     * @param template the ConstraintTemplate object as read from the API server (for its uid and labels)
     */
    static ObjectNode of(ConstraintTemplate parsed, ConstraintSchema schema, JsonNode template) {
        String kind = parsed.kind();
        ObjectNode crd = NODES.objectNode();
        crd.put("apiVersion", "apiextensions.k8s.io/v1");
        crd.put("kind", "CustomResourceDefinition");
        ObjectNode metadata = crd.putObject("metadata");
        metadata.put("name", name(kind));
        ObjectNode labels = metadata.putObject("labels");
        JsonFields.labels(template).forEach(labels::put);
        labels.put(LABEL, "yes");
        metadata.putArray("ownerReferences").addObject()
                .put("apiVersion", JsonFields.text(template.get("apiVersion")))
                .put("kind", "ConstraintTemplate")
                .put("name", JsonFields.name(template))
                .put("uid", KubeJson.uid(template))
                .put("controller", true)
                .put("blockOwnerDeletion", true);

        ObjectNode spec = crd.putObject("spec");
        spec.put("group", Constraint.GROUP);
        ObjectNode names = spec.putObject("names");
        names.put("kind", kind);
        names.put("listKind", kind + "List");
        names.put("plural", plural(kind));
        names.put("singular", plural(kind));
        if (!parsed.shortNames().isEmpty()) {
            ArrayNode shortNames = names.putArray("shortNames");
            parsed.shortNames().forEach(shortNames::add);
        }
        names.putArray("categories").add("constraint").add("constraints");
        spec.put("scope", "Cluster");
        spec.put("preserveUnknownFields", false);
        ObjectNode validation = validationSchema(schema);
        ArrayNode versions = spec.putArray("versions");
        versions.add(version("v1beta1", true, validation));
        versions.add(version("v1alpha1", false, validation));
        return crd;
    }

    /**
     * The validation schema, with metadata as Gatekeeper declares it: a CRD may only constrain metadata.name and
     * metadata.generateName, so nothing else is said about metadata.
     */
    private static ObjectNode validationSchema(ConstraintSchema constraintSchema) {
        ObjectNode schema = constraintSchema.crdSchema();
        ObjectNode metadata = NODES.objectNode().put("type", "object");
        metadata.putObject("properties").putObject("name").put("type", "string").put("maxLength", 63);
        ((ObjectNode) schema.get("properties")).set("metadata", metadata);
        return schema;
    }

    private static ObjectNode version(String name, boolean storage, ObjectNode schema) {
        ObjectNode version = NODES.objectNode();
        version.put("name", name);
        version.put("served", true);
        version.put("storage", storage);
        version.putObject("schema").set("openAPIV3Schema", schema.deepCopy());
        version.putObject("subresources").putObject("status");
        ArrayNode columns = version.putArray("additionalPrinterColumns");
        columns.addObject().put("name", "enforcement-action").put("type", "string")
                .put("jsonPath", ".spec.enforcementAction");
        columns.addObject().put("name", "total-violations").put("type", "integer")
                .put("jsonPath", ".status.totalViolations");
        return version;
    }
}
