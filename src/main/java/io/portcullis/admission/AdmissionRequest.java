package io.portcullis.admission;

import java.util.Objects;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code request} of an AdmissionReview ({@code admission.k8s.io/v1} or {@code v1beta1}; both carry the same
 * fields). Strings that the review leaves out are empty, never null; {@code object}, {@code oldObject} and
 * {@code options} are JSON {@code null} ({@code NullNode}) when absent, e.g. {@code object} on DELETE.
 *
 * @param uid               identifies this call; the response must echo it
 * @param kind              the kind of the object as the webhook sees it (after any matchPolicy conversion)
 * @param resource          the resource being requested
 * @param subResource       e.g. {@code status} or {@code scale}; empty for the main resource
 * @param requestKind       the kind the client originally sent, when the API server converted it; else NONE
 * @param requestResource   the resource the client originally addressed, when converted; else NONE
 * @param requestSubResource the subresource the client originally addressed
 * @param name              the object's name; may be empty on CREATE (generateName)
 * @param namespace         empty for cluster-scoped objects
 * @param operation         CREATE, UPDATE, DELETE or CONNECT
 * @param userInfo          the requesting user
 * @param object            the new object ({@code NullNode} on DELETE)
 * @param oldObject         the existing object on UPDATE and DELETE ({@code NullNode} otherwise)
 * @param dryRun            true when the request will not be persisted
 * @param options           the operation's options object (CreateOptions, ...), or {@code NullNode}
 * @param raw               the whole {@code request} object as received; Gatekeeper gives it to Rego as
 *                          {@code input.review}. Shared: treat as read-only.
 */
public record AdmissionRequest(
        String uid,
        GroupVersionKind kind,
        GroupVersionResource resource,
        String subResource,
        GroupVersionKind requestKind,
        GroupVersionResource requestResource,
        String requestSubResource,
        String name,
        String namespace,
        Operation operation,
        UserInfo userInfo,
        JsonNode object,
        JsonNode oldObject,
        boolean dryRun,
        JsonNode options,
        ObjectNode raw) {

    public AdmissionRequest {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(subResource, "subResource");
        Objects.requireNonNull(requestKind, "requestKind");
        Objects.requireNonNull(requestResource, "requestResource");
        Objects.requireNonNull(requestSubResource, "requestSubResource");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(userInfo, "userInfo");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(oldObject, "oldObject");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(raw, "raw");
    }

    /**
     * The object the request is about: {@code oldObject} on DELETE (where {@code object} is null), else
     * {@code object}, as Gatekeeper's {@code SetObjectOnDelete} makes it before anything reads the request.
     */
    public JsonNode subject() {
        return operation == Operation.DELETE ? oldObject : object;
    }

    /** {@code <kind> <namespace>/<name>} for log lines and messages. */
    public String describe() {
        String where = namespace.isEmpty() ? name : namespace + "/" + name;
        return kind.kind() + " " + (where.isEmpty() ? "(unnamed)" : where);
    }
}
