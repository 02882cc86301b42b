package io.portcullis.admission;

import java.util.Base64;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the AdmissionReview answer: the request's apiVersion and kind, the request's uid, and the response.
 * The API server rejects an answer whose uid or version does not match its request, so both are always
 * echoed from the parsed review.
 */
public final class AdmissionReviewWriter {

    private final JsonMapper mapper;

    public AdmissionReviewWriter(AdmissionLimits limits) {
        this.mapper = AdmissionJson.mapper(limits);
    }

    public byte[] write(AdmissionReview review, AdmissionResponse response) {
        return write(review.version(), review.request().uid(), response);
    }

    /** The answer to a review known only by its version and uid (one that could not be read in full). */
    public byte[] write(ReviewVersion version, String uid, AdmissionResponse response) {
        return mapper.writeValueAsBytes(toJson(version, uid, response));
    }

    ObjectNode toJson(AdmissionReview review, AdmissionResponse response) {
        return toJson(review.version(), review.request().uid(), response);
    }

    private ObjectNode toJson(ReviewVersion version, String uid, AdmissionResponse response) {
        ObjectNode root = mapper.createObjectNode();
        root.put("apiVersion", version.apiVersion());
        root.put("kind", ReviewVersion.KIND);
        ObjectNode out = root.putObject("response");
        out.put("uid", uid);
        out.put("allowed", response.allowed());
        ObjectNode status = out.putObject("status");
        status.put("code", response.status().code());
        if (!response.status().message().isEmpty()) {
            status.put("message", response.status().message());
        }
        if (!response.status().reason().isEmpty()) {
            status.put("reason", response.status().reason());
        }
        if (!response.warnings().isEmpty()) {
            response.warnings().forEach(out.putArray("warnings")::add);
        }
        if (response.patch() != null) {
            // The API server takes the patch as base64 of its JSON text.
            out.put("patch", Base64.getEncoder().encodeToString(mapper.writeValueAsBytes(response.patch())));
            out.put("patchType", "JSONPatch");
        }
        return root;
    }
}
