package io.portcullis.admission;

import java.util.List;
import java.util.Objects;

import tools.jackson.databind.node.ArrayNode;

/**
 * The answer to one AdmissionRequest. The transport adds the uid and the review's apiVersion/kind.
 *
 * <p>The factories give the shapes Gatekeeper (controller-runtime) sends: allowed answers carry code 200
 * (299 with warnings), denials 403 Forbidden, errors {@code allowed: false} with their own code (500 for
 * internal errors). An error answer is a well-formed rejection: the webhook's {@code failurePolicy} does not
 * apply to it.
 *
 * @param allowed  whether the API server may go on
 * @param status   the result shown to the client; never null
 * @param warnings shown by kubectl as {@code Warning: ...}
 * @param patch    a JSON Patch (RFC 6902) array to apply to the object, or null for none; sent base64-encoded
 *                 with {@code patchType: JSONPatch}
 */
public record AdmissionResponse(boolean allowed, Status status, List<String> warnings, ArrayNode patch) {

    /** {@code response.status}; empty message/reason are left out of the JSON. */
    public record Status(int code, String message, String reason) {
        public Status {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public AdmissionResponse {
        Objects.requireNonNull(status, "status");
        warnings = List.copyOf(warnings);
        if (patch != null && !allowed) {
            throw new IllegalArgumentException("a patch only makes sense on an allowed response");
        }
    }

    public static AdmissionResponse allow() {
        return allow("");
    }

    /** Allowed with a message, e.g. {@code Gatekeeper does not self-manage}. */
    public static AdmissionResponse allow(String message) {
        return new AdmissionResponse(true, new Status(200, message, ""), List.of(), null);
    }

    /** Allowed with warnings; code 299 when there are any, as Gatekeeper answers. */
    public static AdmissionResponse allowWithWarnings(List<String> warnings) {
        return new AdmissionResponse(true, new Status(warnings.isEmpty() ? 200 : 299, "", ""), warnings, null);
    }

    /** Denied: code 403, reason Forbidden, the message shown by kubectl after "denied the request: ". */
    public static AdmissionResponse deny(String message, List<String> warnings) {
        return new AdmissionResponse(false, new Status(403, message, "Forbidden"), warnings, null);
    }

    /** A failure while deciding (controller-runtime's {@code Errored}): rejects the request with the message. */
    public static AdmissionResponse errored(int code, String message) {
        return new AdmissionResponse(false, new Status(code, message, ""), List.of(), null);
    }

    /** Allowed with a JSON Patch (an empty array patches nothing, but is still sent). */
    public static AdmissionResponse patch(ArrayNode patch, List<String> warnings) {
        Objects.requireNonNull(patch, "patch");
        return new AdmissionResponse(true, new Status(200, "", ""), warnings, patch);
    }
}
