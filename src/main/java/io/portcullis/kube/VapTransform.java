package io.portcullis.kube;

import io.portcullis.json.JsonFields;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper 3.23's ValidatingAdmissionPolicy transform ([GK] pkg/drivers/k8scel/transform/make_vap_objects.go and
 * cel_snippets.go, pkg/drivers/k8scel/schema): a template with {@code K8sNativeValidation} code becomes a policy
 * {@code gatekeeper-<template>} whose parameters are the template's constraints, and each constraint becomes a
 * binding {@code gatekeeper-<kind>-<constraint>} with its enforcement action and selectors. The policy matches
 * CREATE and UPDATE of every resource, as Gatekeeper's transform without the webhook's scope does; the constraint's
 * {@code match} (kinds, namespaces, excludedNamespaces, name) is checked by Gatekeeper's own match conditions.
 * Pure functions of the objects: the controllers apply the results ({@link VapGenerator}).
 */
final class VapTransform {
    static final String ENGINE = "K8sNativeValidation";
    static final String API_VERSION = "admissionregistration.k8s.io/v1";
    /** The enforcement point of scoped enforcement actions that applies to the bindings. */
    static final String ENFORCEMENT_POINT = "vap.k8s.io";
    static final String RESERVED_PREFIX = "gatekeeper_internal_";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_NAME = 253;

    private VapTransform() {
    }

    /** A template or constraint that cannot become a policy or binding, with Gatekeeper's wording. */
    static class VapException extends Exception {
        VapException(String message) {
            super(message);
        }
    }

    /** Gatekeeper's ErrCELEngineMissing: the template has no CEL code, so there is nothing to generate. */
    static final class NoCelCode extends VapException {
        NoCelCode() {
            super("K8sNativeValidation engine is missing");
        }
    }

    static String policyName(String templateName) {
        return "gatekeeper-" + templateName;
    }

    /** {@code gatekeeper-<kind>-<name>} in lower-case kind, shortened with a hash when over 253 characters. */
    static String bindingName(String kind, String constraintName) {
        String name = "gatekeeper-" + kind.toLowerCase(Locale.ROOT) + "-" + constraintName;
        if (name.length() <= MAX_NAME) {
            return name;
        }
        String hash = sha256Hex(name).substring(0, 8);
        String truncated = name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("[-.]+$", "");
        return truncated + "-" + hash;
    }

    /**
     * The template's {@code K8sNativeValidation} source, checked as Gatekeeper checks it.
     *
     * @throws NoCelCode when the template has no such code
     */
    static ObjectNode celSource(JsonNode template) throws VapException {
        JsonNode targets = template.path("spec").path("targets");
        if (!targets.isArray() || targets.size() != 1) {
            throw new VapException("wrong number of targets defined, only 1 target allowed");
        }
        for (JsonNode code : targets.get(0).path("code")) {
            if (ENGINE.equals(JsonFields.text(code.get("engine")))) {
                if (!(code.get("source") instanceof ObjectNode source)) {
                    throw new VapException("could not recognize the type");
                }
                check(source);
                return source;
            }
        }
        throw new NoCelCode();
    }

    /**
     * Whether a policy is generated for the template: its {@code generateVAP}, else the default
     * ({@code default-create-vap-for-templates}).
     *
     * @throws NoCelCode when the template has no CEL code
     */
    static boolean generatesPolicy(JsonNode template, boolean byDefault) throws VapException {
        JsonNode generate = celSource(template).get("generateVAP");
        return generate == null || generate.isNull() ? byDefault : generate.asBoolean();
    }

    /** The ValidatingAdmissionPolicy of a template, owned by it. */
    static ObjectNode policy(JsonNode template) throws VapException {
        ObjectNode source = celSource(template);
        String name = JsonFields.name(template);
        String kind = JsonFields.text(template.path("spec").path("crd").path("spec").path("names").path("kind"));

        ObjectNode policy = NODES.objectNode();
        policy.put("apiVersion", API_VERSION);
        policy.put("kind", "ValidatingAdmissionPolicy");
        ObjectNode metadata = policy.putObject("metadata");
        metadata.put("name", policyName(name));
        owner(metadata, template, "ConstraintTemplate");

        ObjectNode spec = policy.putObject("spec");
        spec.putObject("paramKind").put("apiVersion", "constraints.gatekeeper.sh/v1beta1").put("kind", kind);
        // No webhook scope to inherit: CREATE and UPDATE of everything, as Gatekeeper's default match constraints.
        ObjectNode rule = spec.putObject("matchConstraints").putArray("resourceRules").addObject();
        rule.putArray("apiGroups").add("*");
        rule.putArray("apiVersions").add("*");
        rule.putArray("resources").add("*");
        rule.putArray("operations").add("CREATE").add("UPDATE");

        ArrayNode conditions = spec.putArray("matchConditions");
        for (JsonNode condition : source.path("matchCondition")) {
            conditions.addObject().put("name", JsonFields.text(condition.get("name")))
                    .put("expression", JsonFields.text(condition.get("expression")));
        }
        internalCondition(conditions, "match_excluded_namespaces", MATCH_EXCLUDED_NAMESPACES);
        internalCondition(conditions, "match_namespaces", MATCH_NAMESPACES);
        internalCondition(conditions, "match_name", MATCH_NAME);
        internalCondition(conditions, "match_kinds", MATCH_KINDS);

        ArrayNode validations = spec.putArray("validations");
        for (JsonNode v : source.path("validations")) {
            ObjectNode out = validations.addObject().put("expression", JsonFields.text(v.get("expression")));
            putIfNotEmpty(out, "message", v.get("message"));
            putIfNotEmpty(out, "messageExpression", v.get("messageExpression"));
        }
        spec.put("failurePolicy", failurePolicy(source));

        ArrayNode variables = spec.putArray("variables");
        variables.addObject().put("name", "anyObject")
                .put("expression", "has(request.operation) && request.operation == \"DELETE\" && object == null ? oldObject : object");
        variables.addObject().put("name", "params")
                .put("expression", "!has(params.spec) ? null : !has(params.spec.parameters) ? null: params.spec.parameters");
        for (JsonNode v : source.path("variables")) {
            variables.addObject().put("name", JsonFields.text(v.get("name"))).put("expression", JsonFields.text(v.get("expression")));
        }
        return policy;
    }

    /**
     * The actions a binding of the constraint gets: its enforcement action (dryrun, warn, deny), or for
     * {@code scoped} the actions of the scoped entries that name {@value #ENFORCEMENT_POINT} or {@code *}. Empty:
     * no binding ({@code default-create-vap-binding-for-constraints} false and not scoped, or no scoped entry for
     * this enforcement point).
     */
    static List<String> bindingActions(JsonNode constraint, boolean byDefault) {
        String action = JsonFields.text(constraint.path("spec").get("enforcementAction"));
        if (action.isEmpty()) {
            action = "deny";
        }
        List<String> actions = new ArrayList<>();
        if (action.equals("scoped")) {
            for (JsonNode scoped : constraint.path("spec").path("scopedEnforcementActions")) {
                for (JsonNode point : scoped.path("enforcementPoints")) {
                    String ep = JsonFields.text(point.get("name"));
                    if (ep.equals(ENFORCEMENT_POINT) || ep.equals("*")) {
                        actions.add(JsonFields.text(scoped.get("action")));
                        break;
                    }
                }
            }
        } else if (byDefault) {
            actions.add(action);
        }
        return actions;
    }

    /** The ValidatingAdmissionPolicyBinding of a constraint, owned by it. */
    static ObjectNode binding(JsonNode constraint, List<String> actions) throws VapException {
        if (actions.isEmpty()) {
            throw new VapException("invalid enforcement action: enforcement actions must be provided");
        }
        ArrayNode validationActions = NODES.arrayNode();
        for (String action : actions) {
            validationActions.add(switch (action) {
                case "deny" -> "Deny";
                case "warn" -> "Warn";
                case "dryrun" -> "Audit";
                default -> throw new VapException("invalid enforcement action: unrecognized enforcement action "
                        + action + ", must be `warn`, `deny` or `dryrun`");
            });
        }
        String kind = JsonFields.text(constraint.get("kind"));
        String name = JsonFields.name(constraint);
        ObjectNode binding = NODES.objectNode();
        binding.put("apiVersion", API_VERSION);
        binding.put("kind", "ValidatingAdmissionPolicyBinding");
        ObjectNode metadata = binding.putObject("metadata");
        metadata.put("name", bindingName(kind, name));
        owner(metadata, constraint, kind);

        ObjectNode spec = binding.putObject("spec");
        spec.put("policyName", "gatekeeper-" + kind.toLowerCase(Locale.ROOT));
        spec.putObject("paramRef").put("name", name).put("parameterNotFoundAction", "Allow");
        ObjectNode match = spec.putObject("matchResources");
        JsonNode constraintMatch = constraint.path("spec").path("match");
        selector(match, "objectSelector", constraintMatch.get("labelSelector"));
        selector(match, "namespaceSelector", constraintMatch.get("namespaceSelector"));
        spec.set("validationActions", validationActions);
        return binding;
    }

    private static void selector(ObjectNode match, String field, JsonNode selector) throws VapException {
        if (selector == null || selector.isNull()) {
            return;
        }
        if (!selector.isObject()) {
            throw new VapException(".spec.match." + (field.equals("objectSelector") ? "labelSelector" : field)
                    + " accessor error: " + selector + " is of the type " + selector.getNodeType().name().toLowerCase(Locale.ROOT)
                    + ", expected map[string]interface{}");
        }
        ObjectNode out = match.putObject(field);
        if (selector.has("matchLabels")) {
            out.set("matchLabels", selector.get("matchLabels").deepCopy());
        }
        if (selector.has("matchExpressions")) {
            out.set("matchExpressions", selector.get("matchExpressions").deepCopy());
        }
    }

    /** Gatekeeper's Source.Validate: reserved names and a known failure policy. */
    private static void check(ObjectNode source) throws VapException {
        for (JsonNode condition : source.path("matchCondition")) {
            String name = JsonFields.text(condition.get("name"));
            if (name.startsWith(RESERVED_PREFIX)) {
                throw new VapException("invalid match condition: " + name + " is not a valid match condition; cannot have \""
                        + RESERVED_PREFIX + "\" as a prefix");
            }
        }
        for (JsonNode variable : source.path("variables")) {
            String name = JsonFields.text(variable.get("name"));
            if (name.startsWith(RESERVED_PREFIX)) {
                throw new VapException("invalid variable definition: " + name + " is not a valid variable; cannot have \""
                        + RESERVED_PREFIX + "\" as a prefix");
            }
            if (name.equals("params") || name.equals("anyObject")) {
                throw new VapException("invalid variable definition: " + name + " an invalid variable name, \"" + name
                        + "\" is a reserved keyword");
            }
        }
        failurePolicy(source);
    }

    private static String failurePolicy(JsonNode source) throws VapException {
        JsonNode policy = source.get("failurePolicy");
        if (policy == null || policy.isNull()) {
            return "Fail";
        }
        String value = JsonFields.text(policy);
        if (!value.equals("Fail") && !value.equals("Ignore")) {
            throw new VapException("invalid failure policy: unrecognized failure policy: " + value);
        }
        return value;
    }

    private static void owner(ObjectNode metadata, JsonNode owner, String kind) {
        metadata.putArray("ownerReferences").addObject()
                .put("apiVersion", JsonFields.text(owner.get("apiVersion")))
                .put("kind", kind)
                .put("name", JsonFields.name(owner))
                .put("uid", KubeJson.uid(owner))
                .put("controller", true)
                .put("blockOwnerDeletion", true);
    }

    private static void internalCondition(ArrayNode conditions, String name, String expression) {
        conditions.addObject().put("name", RESERVED_PREFIX + name).put("expression", expression);
    }

    private static void putIfNotEmpty(ObjectNode out, String field, JsonNode value) {
        String text = JsonFields.text(value);
        if (!text.isEmpty()) {
            out.put(field, text);
        }
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    // Gatekeeper's match conditions, verbatim (cel_snippets.go), so that the API server matches as Gatekeeper does.
    private static final String MATCH_KINDS = """

            	!has(params.spec) ? true: (
            		!has(params.spec.match) ? true: (
            			!has(params.spec.match.kinds) ? true : (
            				params.spec.match.kinds.exists(groupskinds,
            					(!has(groupskinds.kinds) || size(groupskinds.kinds) == 0 || "*" in groupskinds.kinds || request.kind.kind in groupskinds.kinds) &&
            					(!has(groupskinds.apiGroups) || size(groupskinds.apiGroups) == 0 || "*" in groupskinds.apiGroups || request.kind.group in groupskinds.apiGroups)
            				)
            			)
            		)
            	)
            \t""";

    private static final String MATCH_NAME = """

            	!has(params.spec) ? true: (
            		!has(params.spec.match) ? true: (
            			!has(params.spec.match.name) ? true : (
            				[object, oldObject].exists(obj,
            					obj != null && (
            						(has(obj.metadata.generateName) && obj.metadata.generateName != "" && params.spec.match.name.endsWith("*") && string(obj.metadata.generateName).matches("^" + string(params.spec.match.name).replace("*", ".*") + "$")) ||
            						(has(obj.metadata.name) && string(obj.metadata.name).matches("^" + string(params.spec.match.name).replace("*", ".*") + "$"))
            					)
            				)
            			)
            		)
            	)
            \t""";

    private static final String MATCH_NAMESPACES = """

            	!has(params.spec) ? true: (
            		!has(params.spec.match) ? true: (
            			!has(params.spec.match.namespaces) ? true : (
            				[object, oldObject].exists(obj,
            					obj != null && (
            						!has(obj.metadata.namespace) || obj.metadata.namespace == "" ? true : (
            							params.spec.match.namespaces.exists(nsMatcher,
            								(string(obj.metadata.namespace).matches("^" + string(nsMatcher).replace("*", ".*") + "$"))
            							)
            						)
            					)
            				)
            			)
            		)
            	)
            \t""";

    private static final String MATCH_EXCLUDED_NAMESPACES = """

            	!has(params.spec) ? true: (
            		!has(params.spec.match) ? true: (
            			!has(params.spec.match.excludedNamespaces) ? true : (
            				[object, oldObject].exists(obj,
            					obj != null && (
            						!has(obj.metadata.namespace) || obj.metadata.namespace == "" ? true : (
            							!params.spec.match.excludedNamespaces.exists(nsMatcher,
            								(string(obj.metadata.namespace).matches("^" + string(nsMatcher).replace("*", ".*") + "$"))
            							)
            						)
            					)
            				)
            			)
            		)
            	)
            \t""";
}
