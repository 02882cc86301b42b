package io.portcullis.admission;

import static io.portcullis.admission.InvalidAdmissionReviewException.invalid;
import static io.portcullis.admission.InvalidAdmissionReviewException.overLimit;
import static io.portcullis.admission.InvalidAdmissionReviewException.tooLarge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Optional;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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
 *
 * <p>A body over a limit (size, nesting depth, string length) is not parsed past it, but the start of the body
 * is scanned for the review's kind, apiVersion and {@code request.uid}, which the API server writes first; when
 * they are there, the exception carries them so the review can be answered with a rejection. An answer without
 * the request's uid (controller-runtime's, under Gatekeeper) or an HTTP error is a failed call to the API server,
 * where a {@code failurePolicy: Ignore} admits the object unchecked; an answer with it is a rejection it honours.
 */
public final class AdmissionReviewReader {

    /** How Jackson's hints cite its switches: `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS`, Feature 'ALLOW_COMMENTS'. */
    private static final Pattern JACKSON_SWITCH = Pattern.compile("`\\w+(\\.\\w+)+`|Feature '\\w+'");

    /** How much of the body's start is kept for that scan: uid and apiVersion come in its first few hundred bytes. */
    private static final int IDENTITY_SCAN_BYTES = 64 << 10;

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
        // Only what lies within the size limit counts, for the scan too.
        int scanBytes = (int) Math.min(IDENTITY_SCAN_BYTES, limits.maxRequestBytes());
        if (declaredBytes > limits.maxRequestBytes()) {
            // Not read past the start: the rest is never parsed.
            throw identify(tooLargeError(declaredBytes), new BoundedInputStream(body, scanBytes));
        }
        RecordingInputStream recorded = new RecordingInputStream(body, scanBytes);
        try {
            return toReview(parse(new Utf8CheckingInputStream(new BoundedInputStream(recorded, limits.maxRequestBytes()))));
        } catch (InvalidAdmissionReviewException e) {
            throw e.overLimit() ? identify(e, recorded.start()) : e;
        }
    }

    /**
     * The version and uid the start of this body names (read as for an over-size body, at most the first 64 KiB),
     * for answering a review the caller refuses to read: over its memory budget, or too slow to arrive.
     */
    public Optional<ReviewIdentity> identify(InputStream start) {
        InvalidAdmissionReviewException scanned = identify(invalid(""), new BoundedInputStream(start, IDENTITY_SCAN_BYTES));
        return scanned.identified() ? Optional.of(new ReviewIdentity(scanned.version(), scanned.uid())) : Optional.empty();
    }

    /**
     * The exception, identified with the review's version and uid when the start of the body names them: kind
     * AdmissionReview, a served apiVersion and a non-empty {@code request.uid}, read under the same limits. The
     * scan stops as soon as it has them; whatever follows may be cut off or over a limit.
     */
    private InvalidAdmissionReviewException identify(InvalidAdmissionReviewException e, InputStream start) {
        IdentityScan scan = new IdentityScan();
        try (JsonParser parser = mapper.createParser(start)) {
            scan.run(parser);
        } catch (JacksonException ignored) {
            // Cut off or over a limit further on: what was read before still counts.
        }
        ReviewVersion version = ReviewVersion.of(scan.apiVersion);
        boolean identified = ReviewVersion.KIND.equals(scan.kind) && version != null && scan.uid != null
                && !scan.uid.isEmpty();
        return identified ? e.identifiedAs(version, scan.uid) : e;
    }

    /** Top-level kind and apiVersion, and {@code request.uid}, in whatever order they come. */
    private static final class IdentityScan {
        String kind;
        String apiVersion;
        String uid;

        void run(JsonParser parser) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (!complete() && parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "kind" -> kind = stringOrEmpty(parser, value);
                    case "apiVersion" -> apiVersion = stringOrEmpty(parser, value);
                    case "request" -> {
                        if (value == JsonToken.START_OBJECT) {
                            readRequest(parser);
                        } else {
                            parser.skipChildren();
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        }

        /** Reads the request's fields up to its uid, then skips the rest of it unless nothing more is needed. */
        private void readRequest(JsonParser parser) {
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("uid".equals(field)) {
                    uid = stringOrEmpty(parser, value);
                    if (complete()) {
                        return;
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }

        private boolean complete() {
            return kind != null && apiVersion != null && uid != null;
        }

        private static String stringOrEmpty(JsonParser parser, JsonToken value) {
            if (value == JsonToken.VALUE_STRING) {
                return parser.getString();
            }
            parser.skipChildren();
            return "";
        }
    }

    private JsonNode parse(InputStream body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (AdmissionJson.NumberOutOfRangeException e) {
            throw numberOutOfRange(e);
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
            if (t instanceof AdmissionJson.NumberOutOfRangeException range) {
                return numberOutOfRange(range);
            }
            if (t instanceof Utf8CheckingInputStream.InvalidUtf8Exception utf8) {
                return invalid("malformed JSON: " + utf8.getMessage());
            }
            if (t instanceof StreamConstraintsException limit) {
                // Jackson names its own getter in the message; the caller only needs the numbers.
                String what = limit.getOriginalMessage().replaceAll(",? from `[^`]*`", "");
                return what.startsWith("Document length") ? tooLarge("AdmissionReview is too large: " + what)
                        : overLimit("AdmissionReview exceeds a parser limit: " + what);
            }
        }
        if (e.getCause() instanceof IOException io) {
            return invalid("could not read the request body: " + io.getMessage());
        }
        // Jackson may cite a start marker's location with a redacted source; the line/column below suffice.
        String what = withoutJacksonHint(e.getOriginalMessage()
                .replaceAll(" ?\\(start marker at \\[Source:[^\\]]*\\]\\)", ""));
        return invalid("malformed JSON: " + what + where(e.getLocation()));
    }

    /**
     * The message without Jackson's advice on its own switches ("Non-standard token 'NaN': enable
     * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"): the caller cannot act on it, and it names our
     * internals. The advice starts at the last ':', '(' or ". " before the switch's name.
     */
    static String withoutJacksonHint(String message) {
        Matcher hint = JACKSON_SWITCH.matcher(message);
        if (!hint.find()) {
            return message;
        }
        String before = message.substring(0, hint.start());
        int cut = Math.max(Math.max(before.lastIndexOf(':'), before.lastIndexOf('(')), before.lastIndexOf(". "));
        return (cut < 0 ? before : before.substring(0, cut)).strip();
    }

    /** Answered like a limit: the API server never sends such a number, and a rejection beats its failurePolicy. */
    private static InvalidAdmissionReviewException numberOutOfRange(AdmissionJson.NumberOutOfRangeException e) {
        return overLimit("AdmissionReview exceeds a parser limit: " + e.getMessage());
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

    /**
     * Passes on at most {@code limit} bytes, then fails the read if there are more, whatever the Content-Length
     * claimed. Reads are cut at the limit rather than failed, so everything within it reaches the reader.
     */
    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return endOrTooLarge();
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0) {
                return endOrTooLarge();
            }
            int n = super.read(buf, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        /** At the limit: the end of the body is fine, one byte more is not. */
        private int endOrTooLarge() throws IOException {
            if (super.read() < 0) {
                return -1;
            }
            throw new BodyTooLargeException();
        }

        @Override
        public void close() {
            // The servlet container owns the request stream.
        }
    }

    /** Keeps a copy of the first bytes read through it. */
    private static final class RecordingInputStream extends FilterInputStream {
        private final ByteArrayOutputStream start = new ByteArrayOutputStream();
        private final int keep;

        RecordingInputStream(InputStream in, int keep) {
            super(in);
            this.keep = keep;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && start.size() < keep) {
                start.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0 && start.size() < keep) {
                start.write(buf, off, Math.min(n, keep - start.size()));
            }
            return n;
        }

        InputStream start() {
            return new ByteArrayInputStream(start.toByteArray());
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
