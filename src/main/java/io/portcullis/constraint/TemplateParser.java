package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import io.portcullis.constraint.cel.CelCode;
import io.portcullis.engine.RegoVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Turns a ConstraintTemplate object into a {@link ConstraintTemplate}, making the checks Gatekeeper makes when it
 * creates the constraint CRD ([FW] constraint/pkg/client/client.go {@code CreateCRD}), with its error texts. The
 * Rego itself is checked and compiled later by {@link TemplateCompiler}.
 */
public final class TemplateParser {
    public static final String GROUP = "templates.gatekeeper.sh";
    private static final List<String> VERSIONS = List.of("v1", "v1beta1", "v1alpha1");
    private static final List<String> OPERATIONS = List.of("*", "CREATE", "UPDATE", "DELETE", "CONNECT");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final String PREFIX = "invalid ConstraintTemplate: ";

    private TemplateParser() {
    }

    /** Whether the object is a ConstraintTemplate of any served version. */
    public static boolean isTemplate(JsonNode object) {
        Gvk gvk = Gvk.of(object);
        return gvk.group().equals(GROUP) && gvk.kind().equals("ConstraintTemplate");
    }

    public static ConstraintTemplate parse(JsonNode object, String origin) throws InvalidTemplateException {
        Gvk gvk = Gvk.of(object);
        if (!isTemplate(object) || !VERSIONS.contains(gvk.version())) {
            throw create("not a ConstraintTemplate: apiVersion " + gvk.groupVersion() + ", kind " + gvk.kind()
                    + " (want " + GROUP + "/v1, v1beta1 or v1alpha1)");
        }
        String name = JsonFields.name(object);
        JsonNode spec = object.path("spec");
        JsonNode names = spec.path("crd").path("spec").path("names");
        String kind = JsonFields.text(names.path("kind"));
        if (kind.isEmpty()) {
            throw create(PREFIX + "ConstraintTemplate \"" + name + "\" does not specify CRD Kind");
        }
        if (!kind.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
            throw create(PREFIX + "the ConstraintTemplate's name \"" + name
                    + "\" is not equal to the lowercase of CRD's Kind: \"" + kind.toLowerCase(Locale.ROOT) + "\"");
        }
        JsonNode targets = spec.path("targets");
        if (!targets.isArray() || targets.size() != 1) {
            throw create(PREFIX + "must declare exactly one target");
        }
        JsonNode target = targets.get(0);
        String targetName = JsonFields.text(target.path("target"));
        if (targetName.isEmpty()) {
            throw create(PREFIX + "target name must not be empty");
        }
        if (!targetName.equals(ConstraintTemplate.TARGET)) {
            throw create(PREFIX + "target \"" + targetName + "\" not recognized, known targets ["
                    + ConstraintTemplate.TARGET + "]");
        }
        List<String> operations = strings(target.path("operations"));
        for (String op : operations) {
            if (!OPERATIONS.contains(op)) {
                throw create(PREFIX + "spec.targets[0].operations: Unsupported value: \"" + op
                        + "\": supported values: \"*\", \"CREATE\", \"UPDATE\", \"DELETE\", \"CONNECT\"");
            }
        }
        if (operations.contains("*") && operations.size() > 1) {
            throw create("if '*' is present, must not specify other operations");
        }
        String plural = kind.toLowerCase(Locale.ROOT);
        if (plural.length() > 63 || !DNS1035_LABEL.matcher(plural).matches()) {
            throw create(PREFIX + "spec.names.plural: Invalid value: \"" + plural + "\": a DNS-1035 label must consist "
                    + "of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
                    + "alphanumeric character");
        }

        JsonNode parameters = parametersSchema(gvk.version(), spec.path("crd").path("spec").path("validation"));
        return new ConstraintTemplate(name, kind, object.path("apiVersion").asString(""), strings(names.path("shortNames")),
                parameters, operations, rego(target), celSource(target), engines(target), origin, object);
    }

    /**
     * The parameters schema the CRD gets. {@code legacySchema} defaults to false in v1 and to true in v1beta1 and
     * v1alpha1; when true the schema is made to preserve unknown fields (and an absent schema accepts anything).
     * In v1 without legacySchema the schema must be structural.
     */
    private static JsonNode parametersSchema(String version, JsonNode validation) throws InvalidTemplateException {
        JsonNode legacyNode = validation.path("legacySchema");
        boolean legacy = legacyNode.isBoolean() ? legacyNode.asBoolean() : !version.equals("v1");
        JsonNode schema = validation.get("openAPIV3Schema");
        if (schema != null && !schema.isNull() && !schema.isObject()) {
            throw create(PREFIX + "spec.crd.spec.validation.openAPIV3Schema must be an object");
        }
        boolean present = schema != null && schema.isObject();
        if (legacy) {
            return StructuralSchema.addPreserveUnknownFields(present ? schema : null);
        }
        if (!present) {
            return null;
        }
        List<String> errors = StructuralSchema.missingTypes(schema,
                "spec.validation.openAPIV3Schema.properties[spec].properties[parameters]");
        if (!errors.isEmpty()) {
            throw create(PREFIX + String.join(", ", errors));
        }
        return schema.deepCopy();
    }

    /**
     * The Rego to run. A non-empty legacy {@code rego} (with {@code libs}) wins over a {@code code[]} entry with
     * engine Rego and is Rego v0 ([FW] apis/templates/v1/conversion.go).
     */
    private static RegoCode rego(JsonNode target) throws InvalidTemplateException {
        String legacy = JsonFields.text(target.path("rego"));
        if (!legacy.isEmpty()) {
            return new RegoCode(legacy, strings(target.path("libs")), RegoVersion.V0);
        }
        for (JsonNode code : target.path("code")) {
            if (!JsonFields.text(code.path("engine")).equals("Rego")) {
                continue;
            }
            JsonNode source = code.path("source");
            String rego = JsonFields.text(source.path("rego"));
            if (rego.isEmpty()) {
                throw new InvalidTemplateException(InvalidTemplateException.INGEST_ERROR,
                        PREFIX + "the Rego code source must have a non-empty string \"rego\"");
            }
            RegoVersion version = JsonFields.text(source.path("version")).equals("v1") ? RegoVersion.V1 : RegoVersion.V0;
            return new RegoCode(rego, strings(source.path("libs")), version);
        }
        return null;
    }

    /**
     * The {@code source} of the first {@code code[]} entry with engine {@code K8sNativeValidation}, as Gatekeeper's
     * CEL driver reads it, or null. It is checked and compiled only when the CEL driver runs the template.
     */
    private static JsonNode celSource(JsonNode target) {
        for (JsonNode code : target.path("code")) {
            if (JsonFields.text(code.path("engine")).equals(CelCode.ENGINE)) {
                return code.path("source");
            }
        }
        return null;
    }

    private static List<String> engines(JsonNode target) {
        List<String> engines = new ArrayList<>();
        target.path("code").forEach(c -> engines.add(JsonFields.text(c.path("engine"))));
        if (!JsonFields.text(target.path("rego")).isEmpty() && !engines.contains("Rego")) {
            engines.add("Rego");
        }
        return engines;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(v -> out.add(JsonFields.text(v)));
        return out;
    }

    private static InvalidTemplateException create(String message) {
        return new InvalidTemplateException(InvalidTemplateException.CREATE_ERROR, message);
    }
}
