package io.portcullis.webhook;

import java.util.Locale;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * AdmissionReview bodies shaped as the API server sends them, built around the object under review: kind and
 * resource from its apiVersion and kind, name and namespace from its metadata, a fresh uid, user alice.
 */
final class AdmissionReviews {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String V1 = "admission.k8s.io/v1";
    static final String V1BETA1 = "admission.k8s.io/v1beta1";

    private String apiVersion = V1;
    private final String operation;
    private final JsonNode object;
    private final JsonNode oldObject;
    private String namespace;
    private String username = "alice";
    private final String uid = UUID.randomUUID().toString();

    private AdmissionReviews(String operation, JsonNode object, JsonNode oldObject) {
        this.operation = operation;
        this.object = object;
        this.oldObject = oldObject;
        JsonNode subject = object.isNull() ? oldObject : object;
        this.namespace = isNamespace(subject) ? subject.at("/metadata/name").asString("")
                : subject.at("/metadata/namespace").asString("");
    }

    static AdmissionReviews create(JsonNode object) {
        return new AdmissionReviews("CREATE", object, JsonNodeFactory.instance.nullNode());
    }

    static AdmissionReviews update(JsonNode object, JsonNode oldObject) {
        return new AdmissionReviews("UPDATE", object, oldObject);
    }

    /** As the API server sends a DELETE: {@code object} null, the deleted object in {@code oldObject}. */
    static AdmissionReviews delete(JsonNode oldObject) {
        return new AdmissionReviews("DELETE", JsonNodeFactory.instance.nullNode(), oldObject);
    }

    AdmissionReviews version(String version) {
        this.apiVersion = version;
        return this;
    }

    AdmissionReviews namespace(String requestNamespace) {
        this.namespace = requestNamespace;
        return this;
    }

    AdmissionReviews user(String name) {
        this.username = name;
        return this;
    }

    String uid() {
        return uid;
    }

    ObjectNode toJson() {
        JsonNode subject = object.isNull() ? oldObject : object;
        String[] groupVersion = subject.path("apiVersion").asString("").split("/", 2);
        String group = groupVersion.length == 2 ? groupVersion[0] : "";
        String version = groupVersion[groupVersion.length - 1];
        String kind = subject.path("kind").asString("");

        ObjectNode review = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", uid);
        request.putObject("kind").put("group", group).put("version", version).put("kind", kind);
        request.putObject("resource").put("group", group).put("version", version)
                .put("resource", kind.toLowerCase(Locale.ROOT) + "s");
        request.put("name", subject.at("/metadata/name").asString(""));
        if (!namespace.isEmpty()) {
            request.put("namespace", namespace);
        }
        request.put("operation", operation);
        request.putObject("userInfo").put("username", username).putArray("groups").add("system:authenticated");
        request.set("object", object);
        request.set("oldObject", oldObject);
        request.put("dryRun", false);
        return review;
    }

    String json() {
        return JSON.writeValueAsString(toJson());
    }

    private static boolean isNamespace(JsonNode object) {
        return "v1".equals(object.path("apiVersion").asString()) && "Namespace".equals(object.path("kind").asString());
    }
}
