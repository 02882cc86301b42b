package io.portcullis.admission;

import static io.portcullis.admission.InvalidAdmissionReviewException.invalid;
import static io.portcullis.admission.InvalidAdmissionReviewException.tooLarge;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Parses an {@code admission.k8s.io/v1} or {@code v1beta1} AdmissionReview body into an {@link AdmissionReview}.
 * Every way a body can be unusable ends in an {@link InvalidAdmissionReviewException} whose message says what
 * is wrong and where.
 */
public final class AdmissionReviewReader {

    private final AdmissionLimits limits;
    private final JsonMapper mapper;

    public AdmissionReviewReader(AdmissionLimits limits) {
        this.limits = limits;
        this.mapper = AdmissionJson.mapper(limits);
    }

    public AdmissionLimits limits() {
        return limits;
    }

    public AdmissionReview read(byte[] body) {
        return read(new java.io.ByteArrayInputStream(body), body.length);
    }

    /**
     * @param body          the request body; read up to the size limit, not closed
     * @param declaredBytes the Content-Length, or -1 when unknown (chunked)
     */
    public AdmissionReview read(InputStream body, long declaredBytes) {
        if (declaredBytes > limits.maxRequestBytes()) {
            throw tooLargeError(declaredBytes);
        }
        return toReview(parse(new BoundedInputStream(body, limits.maxRequestBytes())));
    }

    private JsonNode parse(InputStream body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw translate(e);
        }
        if (root == null || root.isMissingNode()) {
            throw invalid("request body is empty; expected an AdmissionReview");
        }
        return root;
    }

    private InvalidAdmissionReviewException translate(JacksonException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException) {
                return tooLargeError(-1);
            }
            if (t instanceof StreamConstraintsException limit) {
                // Jackson names its own getter in the message; the caller only needs the numbers.
                String what = limit.getOriginalMessage().replaceAll(",? from `[^`]*`", "");
                return what.startsWith("Document length") ? tooLarge("AdmissionReview is too large: " + what)
                        : invalid("AdmissionReview exceeds a parser limit: " + what);
            }
        }
        if (e.getCause() instanceof IOException io) {
            return invalid("could not read the request body: " + io.getMessage());
        }
        // Jackson may cite a start marker's location with a redacted source; the line/column below suffice.
        String what = e.getOriginalMessage().replaceAll(" ?\\(start marker at \\[Source:[^\\]]*\\]\\)", "");
        return invalid("malformed JSON: " + what + where(e.getLocation()));
    }

    private InvalidAdmissionReviewException tooLargeError(long declaredBytes) {
        String size = declaredBytes >= 0 ? " (" + declaredBytes + " bytes)" : "";
        return tooLarge("AdmissionReview is too large" + size + "; the limit is " + limits.maxRequestBytes()
                + " bytes");
    }

    private static String where(TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static AdmissionReview toReview(JsonNode root) {
        if (!root.isObject()) {
            throw invalid("expected an AdmissionReview object, got a JSON " + typeName(root));
        }
        String apiVersion = root.path("apiVersion").asString("");
        String kind = root.path("kind").asString("");
        ReviewVersion version = ReviewVersion.of(apiVersion);
        if (!ReviewVersion.KIND.equals(kind) || version == null) {
            throw invalid("expected kind AdmissionReview with apiVersion " + ReviewVersion.V1.apiVersion() + " or "
                    + ReviewVersion.V1BETA1.apiVersion() + ", got kind \"" + kind + "\" and apiVersion \""
                    + apiVersion + "\"");
        }
        JsonNode request = root.get("request");
        if (request == null || request.isNull()) {
            throw invalid("the AdmissionReview has no request");
        }
        if (!(request instanceof ObjectNode fields)) {
            throw invalid("request must be an object, got a JSON " + typeName(request));
        }
        return new AdmissionReview(version, toRequest(fields));
    }

    private static AdmissionRequest toRequest(ObjectNode request) {
        String uid = string(request, "uid", "request.uid");
        if (uid.isEmpty()) {
            throw invalid("request.uid is missing; the response could not be matched to the request");
        }
        return new AdmissionRequest(
                uid,
                kind(request, "kind"),
                resource(request, "resource"),
                string(request, "subResource", "request.subResource"),
                kind(request, "requestKind"),
                resource(request, "requestResource"),
                string(request, "requestSubResource", "request.requestSubResource"),
                string(request, "name", "request.name"),
                string(request, "namespace", "request.namespace"),
                operation(request),
                userInfo(request),
                objectOrNull(request, "object"),
                objectOrNull(request, "oldObject"),
                bool(request, "dryRun", "request.dryRun"),
                objectOrNull(request, "options"),
                request);
    }

    private static GroupVersionKind kind(JsonNode request, String field) {
        JsonNode node = objectField(request, field, "request." + field);
        if (node == null) {
            return GroupVersionKind.NONE;
        }
        String at = "request." + field + ".";
        return new GroupVersionKind(string(node, "group", at + "group"), string(node, "version", at + "version"),
                string(node, "kind", at + "kind"));
    }

    private static GroupVersionResource resource(JsonNode request, String field) {
        JsonNode node = objectField(request, field, "request." + field);
        if (node == null) {
            return GroupVersionResource.NONE;
        }
        String at = "request." + field + ".";
        return new GroupVersionResource(string(node, "group", at + "group"),
                string(node, "version", at + "version"), string(node, "resource", at + "resource"));
    }

    private static Operation operation(JsonNode request) {
        String op = string(request, "operation", "request.operation");
        for (Operation o : Operation.values()) {
            if (o.name().equals(op)) {
                return o;
            }
        }
        throw invalid("request.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got \"" + op + "\"");
    }

    private static UserInfo userInfo(JsonNode request) {
        JsonNode node = objectField(request, "userInfo", "request.userInfo");
        if (node == null) {
            return UserInfo.NONE;
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        JsonNode extraNode = objectField(node, "extra", "request.userInfo.extra");
        if (extraNode != null) {
            extraNode.forEachEntry((key, value) -> extra.put(key, strings(value, "request.userInfo.extra." + key)));
        }
        return new UserInfo(string(node, "username", "request.userInfo.username"),
                string(node, "uid", "request.userInfo.uid"),
                strings(node.path("groups"), "request.userInfo.groups"), extra);
    }

    /** Absent or null gives an empty string; any other non-string is an error naming the field. */
    private static String string(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return "";
        }
        if (!node.isString()) {
            throw invalid(path + " must be a string, got a JSON " + typeName(node));
        }
        return node.stringValue();
    }

    private static boolean bool(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw invalid(path + " must be a boolean, got a JSON " + typeName(node));
        }
        return node.booleanValue();
    }

    private static List<String> strings(JsonNode node, String path) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid(path + " must be an array of strings, got a JSON " + typeName(node));
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isString()) {
                throw invalid(path + " must be an array of strings, found a JSON " + typeName(item));
            }
            out.add(item.stringValue());
        }
        return out;
    }

    /** The field when it is an object, null when absent or null, an error for anything else. */
    private static JsonNode objectField(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid(path + " must be an object, got a JSON " + typeName(node));
        }
        return node;
    }

    private static JsonNode objectOrNull(JsonNode parent, String field) {
        JsonNode node = objectField(parent, field, "request." + field);
        return node == null ? NullNode.getInstance() : node;
    }

    private static String typeName(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Fails the read once more than {@code limit} bytes arrive, whatever the Content-Length claimed. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            remaining -= n;
            if (remaining < 0) {
                throw new BodyTooLargeException();
            }
        }

        @Override
        public void close() {
            // The servlet container owns the request stream.
        }
    }

    private static final class BodyTooLargeException extends IOException {
        BodyTooLargeException() {
            super("request body over the size limit", null);
        }
    }
}
