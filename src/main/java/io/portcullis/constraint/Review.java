package io.portcullis.constraint;

import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.UserInfo;
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
     * A review of an admission request as the webhook read it ({@link io.portcullis.admission.AdmissionReviewReader}
     * checked its fields' types): rendered from those fields, not read again from the JSON. Namespace objects lose
     * {@code request.namespace} (Gatekeeper issue #792), so they count as cluster-scoped; DELETE gets
     * {@code oldObject} copied into {@code object}.
     *
     * @param namespace the request namespace's Namespace object, or null
     */
    public static Review ofAdmissionRequest(AdmissionRequest request, JsonNode namespace) throws InvalidObjectException {
        if (request.object().isNull() && request.oldObject().isNull()) {
            throw new InvalidObjectException("AdmissionRequest does not contain an \"object\" or \"oldObject\" to review");
        }
        // Go's pointer fields: present in the JSON (even when empty) or omitted, which the typed request cannot say.
        ObjectNode raw = request.raw();
        UserInfo user = request.userInfo();
        ObjectNode userInfo = NODES.objectNode();
        putIfNotEmpty(userInfo, "username", user.username());
        putIfNotEmpty(userInfo, "uid", user.uid());
        if (!user.groups().isEmpty()) {
            user.groups().forEach(userInfo.putArray("groups")::add);
        }
        if (!user.extra().isEmpty()) {
            ObjectNode extra = userInfo.putObject("extra");
            user.extra().forEach((key, values) -> values.forEach(extra.withArrayProperty(key)::add));
        }
        return render(new Fields(request.uid(),
                gvk(request.kind().group(), request.kind().version(), "kind", request.kind().kind()),
                gvk(request.resource().group(), request.resource().version(), "resource", request.resource().resource()),
                request.subResource(),
                raw.path("requestKind").isObject() ? gvk(request.requestKind().group(),
                        request.requestKind().version(), "kind", request.requestKind().kind()) : null,
                raw.path("requestResource").isObject() ? gvk(request.requestResource().group(),
                        request.requestResource().version(), "resource", request.requestResource().resource()) : null,
                request.requestSubResource(), request.name(), request.namespace(), request.operation().name(),
                userInfo, request.object(), request.oldObject(),
                raw.path("dryRun").isBoolean() ? request.dryRun() : null, request.options()), namespace);
    }

    /**
     * A review of the {@code request} of an AdmissionReview given as JSON, as {@code gator test} reads one from a
     * suite (Go's unmarshalling: any uid and operation, fields of the wrong type refused).
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
        return render(new Fields(JsonFields.text(in.path("uid")), gvk(in.path("kind"), "kind"),
                gvk(in.path("resource"), "resource"), JsonFields.text(in.path("subResource")),
                in.path("requestKind").isObject() ? gvk(in.path("requestKind"), "kind") : null,
                in.path("requestResource").isObject() ? gvk(in.path("requestResource"), "resource") : null,
                JsonFields.text(in.path("requestSubResource")), JsonFields.text(in.path("name")),
                JsonFields.text(in.path("namespace")), JsonFields.text(in.path("operation")), userInfo(in.path("userInfo")),
                orNull(in.get("object")), orNull(in.get("oldObject")),
                in.path("dryRun").isBoolean() ? in.get("dryRun").asBoolean() : null, orNull(in.get("options"))), namespace);
    }

    /**
     * An AdmissionRequest's fields, read from either source. Null {@code requestKind}, {@code requestResource} and
     * {@code dryRun} are absent (Go omits them); {@code object}, {@code oldObject} and {@code options} are JSON null
     * when absent.
     */
    private record Fields(String uid, ObjectNode kind, ObjectNode resource, String subResource, ObjectNode requestKind,
            ObjectNode requestResource, String requestSubResource, String name, String namespace, String operation,
            ObjectNode userInfo, JsonNode object, JsonNode oldObject, Boolean dryRun, JsonNode options) {
    }

    /** The request as Go serialises it ([GK] pkg/target/target.go), the one place its rules are written. */
    private static Review render(Fields in, JsonNode namespace) throws InvalidObjectException {
        ObjectNode req = NODES.objectNode();
        req.put("uid", in.uid());
        req.set("kind", in.kind());
        req.set("resource", in.resource());
        putIfNotEmpty(req, "subResource", in.subResource());
        if (in.requestKind() != null) {
            req.set("requestKind", in.requestKind());
        }
        if (in.requestResource() != null) {
            req.set("requestResource", in.requestResource());
        }
        putIfNotEmpty(req, "requestSubResource", in.requestSubResource());
        putIfNotEmpty(req, "name", in.name());
        boolean isNamespace = JsonFields.text(in.kind().path("group")).isEmpty()
                && JsonFields.text(in.kind().path("kind")).equals("Namespace");
        if (!isNamespace) {
            putIfNotEmpty(req, "namespace", in.namespace());
        }
        req.put("operation", in.operation());
        req.set("userInfo", in.userInfo());
        JsonNode object = in.object();
        if (in.operation().equals("DELETE")) {
            if (in.oldObject().isNull()) {
                throw new InvalidObjectException("oldObject cannot be nil for DELETE operations");
            }
            object = in.oldObject();
        }
        req.set("object", object);
        req.set("oldObject", in.oldObject());
        if (in.dryRun() != null) {
            req.put("dryRun", in.dryRun());
        }
        req.set("options", in.options());
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
        return gvk(JsonFields.text(node.path("group")), JsonFields.text(node.path("version")), last,
                JsonFields.text(node.path(last)));
    }

    private static ObjectNode gvk(String group, String version, String lastName, String last) {
        ObjectNode out = NODES.objectNode();
        out.put("group", group);
        out.put("version", version);
        out.put(lastName, last);
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
