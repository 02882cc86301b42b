package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import io.portcullis.match.Matcher;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One object to review, and the {@code input.review} document Rego sees for it: the Kubernetes admission/v1
 * AdmissionRequest as Go serialises it ([GK] pkg/target/target.go, review.go), so fields Go omits when empty are
 * omitted and absent raw objects are JSON {@code null}.
 *
 * @param request the normalised AdmissionRequest (without {@code namespaceObject})
 * @param namespace the object's Namespace when the caller resolved it, else null (then the inventory's synced
 *     Namespace of {@code request.namespace} is used, as Gatekeeper's matcher does)
 * @param source Original for real objects, Generated for expansion output
 * @param namespaceObjectShown whether Rego sees the Namespace as {@code namespaceObject}; gator never shows it
 *
 * <p>A review shares the caller's object trees instead of copying them (an admitted object can be several MiB and
 * is reviewed on the admission path); nothing here changes them, and the caller must not while it reviews.
 */
public record Review(ObjectNode request, JsonNode namespace, Matcher.Source source, boolean namespaceObjectShown) {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> REQUEST_FIELDS = Set.of("uid", "kind", "resource", "subResource", "requestKind",
            "requestResource", "requestSubResource", "name", "namespace", "operation", "userInfo", "object",
            "oldObject", "dryRun", "options");

    /**
     * A review of an admission request (the {@code request} of an AdmissionReview, v1 or v1beta1). Namespace
     * objects lose {@code request.namespace} (Gatekeeper issue #792), so they count as cluster-scoped; DELETE gets
     * {@code oldObject} copied into {@code object}.
     *
     * @param namespace the request namespace's Namespace object, or null
     */
    public static Review ofAdmissionRequest(JsonNode request, JsonNode namespace) throws InvalidObjectException {
        if (!(request instanceof ObjectNode in)) {
            throw new InvalidObjectException("the AdmissionReview has no request");
        }
        if (isAbsent(in.get("object")) && isAbsent(in.get("oldObject"))) {
            throw new InvalidObjectException("AdmissionRequest does not contain an \"object\" or \"oldObject\" to review");
        }
        for (String field : new String[] {"object", "oldObject", "options"}) {
            JsonNode value = in.get(field);
            if (!isAbsent(value) && !value.isObject()) {
                throw new InvalidObjectException("request." + field + " must be an object");
            }
        }
        ObjectNode req = NODES.objectNode();
        req.put("uid", JsonFields.text(in.path("uid")));
        req.set("kind", gvk(in.path("kind"), "kind"));
        req.set("resource", gvk(in.path("resource"), "resource"));
        putIfNotEmpty(req, "subResource", JsonFields.text(in.path("subResource")));
        if (in.path("requestKind").isObject()) {
            req.set("requestKind", gvk(in.path("requestKind"), "kind"));
        }
        if (in.path("requestResource").isObject()) {
            req.set("requestResource", gvk(in.path("requestResource"), "resource"));
        }
        putIfNotEmpty(req, "requestSubResource", JsonFields.text(in.path("requestSubResource")));
        putIfNotEmpty(req, "name", JsonFields.text(in.path("name")));
        JsonNode kind = req.get("kind");
        boolean isNamespace = JsonFields.text(kind.path("group")).isEmpty() && JsonFields.text(kind.path("kind")).equals("Namespace");
        if (!isNamespace) {
            putIfNotEmpty(req, "namespace", JsonFields.text(in.path("namespace")));
        }
        String operation = JsonFields.text(in.path("operation"));
        req.put("operation", operation);
        req.set("userInfo", userInfo(in.path("userInfo")));
        JsonNode object = orNull(in.get("object"));
        JsonNode oldObject = orNull(in.get("oldObject"));
        if (operation.equals("DELETE")) {
            if (oldObject.isNull()) {
                throw new InvalidObjectException("oldObject cannot be nil for DELETE operations");
            }
            object = oldObject;
        }
        req.set("object", object);
        req.set("oldObject", oldObject);
        if (in.path("dryRun").isBoolean()) {
            req.put("dryRun", in.get("dryRun").asBoolean());
        }
        req.set("options", orNull(in.get("options")));
        return new Review(req, namespace, Matcher.Source.ORIGINAL, true);
    }

    /** The fields of an AdmissionRequest Go knows; gator refuses AdmissionReviews with others. */
    static Set<String> requestFields() {
        return REQUEST_FIELDS;
    }

    /**
     * A review of a bare object, as audit, {@code gator test} and {@code gator verify} build it: kind, name and
     * namespace from the object, {@code uid} and {@code operation} empty, {@code resource} all empty strings,
     * {@code userInfo} empty, {@code oldObject} and {@code options} null.
     *
     * @param namespace the object's Namespace object when known, or null
     */
    public static Review ofObject(JsonNode object, JsonNode namespace, Matcher.Source source) throws InvalidObjectException {
        if (!(object instanceof ObjectNode)) {
            throw new InvalidObjectException("the object to review is not a JSON object");
        }
        Gvk gvk = Gvk.of(object);
        ObjectNode req = NODES.objectNode();
        req.put("uid", "");
        req.putObject("kind").put("group", gvk.group()).put("version", gvk.version()).put("kind", gvk.kind());
        req.putObject("resource").put("group", "").put("version", "").put("resource", "");
        putIfNotEmpty(req, "name", JsonFields.name(object));
        putIfNotEmpty(req, "namespace", JsonFields.namespace(object));
        req.put("operation", "");
        req.putObject("userInfo");
        req.set("object", object);
        req.putNull("oldObject");
        req.putNull("options");
        return new Review(req, namespace, source, true);
    }

    /**
     * The same review, matched with the same Namespace, but with {@code namespaceObject} null in the Rego input:
     * {@code gator test} and {@code gator verify} pass their reviews no Namespace object ([GK] pkg/gator).
     */
    public Review withoutNamespaceObject() {
        return new Review(request, namespace, source, false);
    }

    public JsonNode object() {
        return request.get("object");
    }

    public JsonNode oldObject() {
        return request.get("oldObject");
    }

    public String operation() {
        return JsonFields.text(request.path("operation"));
    }

    /** {@code request.namespace}, "" when absent. */
    public String requestNamespace() {
        return JsonFields.text(request.path("namespace"));
    }

    /** The object the review is about: object, or oldObject when there is no object. */
    public JsonNode subject() {
        return request.get("object").isNull() ? request.get("oldObject") : request.get("object");
    }

    /**
     * {@code input.review}: the request plus {@code namespaceObject} (null for cluster-scoped objects and Namespaces,
     * and for a Namespace without a name, gator's stand-in for none: see {@link GatorNamespaces}).
     */
    ObjectNode input(JsonNode resolvedNamespace) {
        // Only a top-level field is added: a shallow copy leaves the (possibly multi-MiB) objects shared.
        ObjectNode review = NODES.objectNode().setAll(request);
        JsonNode namespaceObject = namespaceObject(resolvedNamespace);
        review.set("namespaceObject", namespaceObject != null ? namespaceObject : NODES.nullNode());
        return review;
    }

    /** The Namespace templates see as {@code namespaceObject} (Rego and CEL alike), or null. */
    JsonNode namespaceObject(JsonNode resolvedNamespace) {
        boolean namespaced = namespaceObjectShown && !JsonFields.isNamespace(subject()) && resolvedNamespace != null
                && !JsonFields.name(resolvedNamespace).isEmpty();
        return namespaced ? resolvedNamespace : null;
    }

    private static ObjectNode gvk(JsonNode node, String last) {
        ObjectNode out = NODES.objectNode();
        out.put("group", JsonFields.text(node.path("group")));
        out.put("version", JsonFields.text(node.path("version")));
        out.put(last, JsonFields.text(node.path(last)));
        return out;
    }

    private static ObjectNode userInfo(JsonNode node) {
        ObjectNode out = NODES.objectNode();
        putIfNotEmpty(out, "username", JsonFields.text(node.path("username")));
        putIfNotEmpty(out, "uid", JsonFields.text(node.path("uid")));
        if (node.path("groups").isArray() && !node.path("groups").isEmpty()) {
            out.set("groups", node.get("groups").deepCopy());
        }
        if (node.path("extra").isObject() && !node.path("extra").isEmpty()) {
            out.set("extra", node.get("extra").deepCopy());
        }
        return out;
    }

    private static void putIfNotEmpty(ObjectNode node, String field, String value) {
        if (!value.isEmpty()) {
            node.put(field, value);
        }
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static JsonNode orNull(JsonNode node) {
        return isAbsent(node) ? NODES.nullNode() : node;
    }
}
