package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hostile-input corpus: malformed, foreign, deep, huge and oddly typed requests posted over HTTPS to the whole
 * application, whose one constraint (the shipped {@code k8srequiredseccompprofile} template with the example
 * constraint) denies every Pod in the corpus. Every request must get either a well-formed AdmissionReview answer
 * (HTTP 200) that does not allow the Pod, or a 4xx with a Kubernetes Status; never a 5xx, a stack trace or a Java
 * name in the body. Afterwards the server must still be live and give the normal answers.
 *
 * <p>Small cases are files in src/test/resources/hostile (uid {@code hostile}, expectations in {@link #files});
 * big ones are generated here. The Pod is always {@code default/web} with one container {@code c} and no seccomp
 * profile, so "allowed" can only come from an error.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path CORPUS = GatekeeperLibrary.PROJECT.resolve("src/test/resources/hostile");
    private static final String DENIAL = "[pods-require-seccomp-profile] container \"c\" has no seccomp profile";
    private static final int MIB = 1 << 20;

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.copy(GatekeeperLibrary.PROJECT.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml"),
                templates.resolve("k8srequiredseccompprofile.yaml"));
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.copy(GatekeeperLibrary.PROJECT.resolve("examples/constraints/k8srequiredseccompprofile.yaml"),
                constraints.resolve("k8srequiredseccompprofile.yaml"));
        server = TestServer.startApplication(dir.resolve("certs"),
                "portcullis.templates=" + templates,
                "portcullis.constraints[0]=" + constraints,
                "portcullis.data[0]=" + dir.resolve("no-data"),
                "portcullis.mutations[0]=" + dir.resolve("no-mutations"));
        server.awaitReady(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    // ---- the corpus ----

    /** What {@code /v1/admit} must answer, beyond the rules every answer follows (see {@link #assertWellFormed}). */
    enum Outcome {
        /** HTTP {@code code} with a Status whose message contains {@code message}. */
        REJECTED,
        /** HTTP 200, not allowed, {@code response.status.code} {@code code} and a message containing {@code message}. */
        ANSWERED,
        /** HTTP 200 with the constraint's normal denial: the request was evaluated as if nothing were odd. */
        DENIED,
        /** HTTP 200 and not allowed, for whatever reason (the denial, the deadline, an evaluation limit). */
        NOT_ALLOWED
    }

    record Expect(Outcome outcome, int code, String message) {
        static Expect rejected(int code, String message) {
            return new Expect(Outcome.REJECTED, code, message);
        }

        static Expect answered(int code, String message) {
            return new Expect(Outcome.ANSWERED, code, message);
        }

        static Expect denied() {
            return new Expect(Outcome.DENIED, 403, DENIAL);
        }

        static Expect notAllowed() {
            return new Expect(Outcome.NOT_ALLOWED, 0, "");
        }
    }

    /**
     * One hostile request. {@code uid} and {@code apiVersion} are what a 200 answer must echo; a null content type
     * sends none; a chunked body has no Content-Length.
     */
    record Case(String name, Supplier<byte[]> body, String contentType, boolean chunked, String uid, String apiVersion,
            Expect expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String BAD_REQUEST = "BadRequest";

    /** The files, each with what it must get. */
    static List<Case> files() {
        List<Case> cases = new ArrayList<>();
        // Not one JSON document.
        file(cases, "empty.json", Expect.rejected(400, "request body is empty"));
        file(cases, "whitespace.json", Expect.rejected(400, "request body is empty"));
        file(cases, "not-json.txt", Expect.rejected(400, "malformed JSON: Unrecognized token 'hello'"));
        file(cases, "truncated.json", Expect.rejected(400, "malformed JSON: Unexpected end-of-input"));
        file(cases, "trailing-garbage.json", Expect.rejected(400, "malformed JSON: Unexpected close marker '}'"));
        file(cases, "two-reviews.json", Expect.rejected(400, "malformed JSON: Trailing token"));
        file(cases, "unquoted-key.json", Expect.rejected(400, "malformed JSON: Unexpected character ('a'"));
        file(cases, "single-quotes.json", Expect.rejected(400, "malformed JSON: Unexpected character ('''"));
        file(cases, "comment.json", Expect.rejected(400, "malformed JSON: Unexpected character ('/'"));
        file(cases, "control-char-in-string.json", Expect.rejected(400, "malformed JSON: Illegal unquoted character"));
        file(cases, "nan.json", Expect.rejected(400, "malformed JSON: Non-standard token 'NaN' at line 1"));
        file(cases, "infinity.json", Expect.rejected(400, "malformed JSON: Non-standard token 'Infinity' at line 1"));
        file(cases, "negative-infinity.json", Expect.rejected(400, "malformed JSON: Non-standard token '-Infinity' at line 1"));
        file(cases, "leading-plus.json", Expect.rejected(400, "malformed JSON: Unexpected character ('+'"));
        file(cases, "leading-zeros.json", Expect.rejected(400, "malformed JSON: Invalid numeric value: Leading zeroes"));
        // JSON, but not an AdmissionReview.
        for (String other : List.of("null.json", "array.json", "number.json", "string.json")) {
            file(cases, other, Expect.rejected(400, "expected an AdmissionReview object, got a JSON"));
        }
        String wrongType = "expected kind AdmissionReview with apiVersion admission.k8s.io/v1 or admission.k8s.io/v1beta1";
        for (String foreign : List.of("pod.json", "kind-missing.json", "kind-admissionresponse.json", "kind-number.json",
                "apiversion-missing.json", "apiversion-v2.json", "apiversion-v1.json", "apiversion-object.json")) {
            file(cases, foreign, Expect.rejected(400, wrongType));
        }
        file(cases, "request-missing.json", Expect.rejected(400, "the AdmissionReview has no request"));
        file(cases, "request-null.json", Expect.rejected(400, "the AdmissionReview has no request"));
        file(cases, "request-array.json", Expect.rejected(400, "request must be an object, got a JSON array"));
        file(cases, "request-string.json", Expect.rejected(400, "request must be an object, got a JSON string"));
        file(cases, "uid-missing.json", Expect.rejected(400, "request.uid is missing"));
        file(cases, "uid-empty.json", Expect.rejected(400, "request.uid is missing"));
        file(cases, "uid-number.json", Expect.rejected(400, "request.uid must be a string, got a JSON number"));
        file(cases, "operation-unknown.json", Expect.rejected(400, "request.operation must be one of CREATE"));
        file(cases, "groups-not-array.json", Expect.rejected(400, "request.userInfo.groups must be an array of strings"));
        file(cases, "object-array.json", Expect.rejected(400, "request.object must be an object, got a JSON array"));
        file(cases, "object-string.json", Expect.rejected(400, "request.object must be an object, got a JSON string"));
        // Reviews without anything to review: answered with Gatekeeper's error.
        file(cases, "object-missing.json", Expect.answered(500, "does not contain an \"object\" or \"oldObject\" to review"));
        file(cases, "delete-without-oldobject.json", Expect.answered(500, "oldObject cannot be nil for DELETE operations"));
        // A key twice: the API server never sends one, and which value counts would depend on the parser.
        file(cases, "duplicate-uid.json", Expect.rejected(400, "malformed JSON: Duplicate Object property \"uid\""));
        file(cases, "duplicate-object.json", Expect.rejected(400, "malformed JSON: Duplicate Object property \"object\""));
        file(cases, "duplicate-label.json", Expect.rejected(400, "malformed JSON: Duplicate Object property \"app\""));
        // Odd but valid: still evaluated, and denied. OPA's parser refuses a lone surrogate, which fails every
        // evaluation; Gatekeeper turns evaluation errors into violations, so that is a denial too.
        file(cases, "lone-surrogate.json", Expect.notAllowed());
        file(cases, "nul-escape.json", Expect.denied());
        file(cases, "uint64.json", Expect.denied());
        file(cases, "hundred-digits.json", Expect.denied());
        file(cases, "tiny-float.json", Expect.denied());
        file(cases, "max-float.json", Expect.denied());
        // A number a 64-bit float cannot hold would reach the policy as the string "Infinity": answered instead.
        file(cases, "float-overflow.json", Expect.answered(400, "a number is beyond the range of a 64-bit float"));
        file(cases, "negative-float-overflow.json", Expect.answered(400, "a number is beyond the range of a 64-bit float"));
        return cases;
    }

    private static void file(List<Case> cases, String name, Expect expect) {
        cases.add(new Case(name, () -> read(CORPUS.resolve(name)), "application/json", false, "hostile",
                AdmissionReviews.V1, expect));
    }

    /** The generated cases: bad bytes, depth, width and size. */
    static List<Case> generated() {
        List<Case> cases = new ArrayList<>();
        // Ill-formed UTF-8 in a label value, and in the uid: a stray continuation byte, bytes that never occur, a
        // sequence cut short, an overlong '/', an encoded UTF-16 surrogate, a code point past U+10FFFF.
        for (String bytes : List.of("80", "FF", "C3 28", "E2 82", "C0 AF", "E0 80 AF", "ED A0 80", "F4 90 80 80")) {
            cases.add(generated("invalid UTF-8 " + bytes + " in a label", () -> withBytes(labelled("@"), bytes),
                    Expect.rejected(400, "malformed JSON: invalid UTF-8 at byte ")));
        }
        cases.add(generated("well-formed UTF-8 of every length in a label",
                () -> labelled("caf\u00e9 \u20ac \ud83d\ude00 \udbff\udfff"), Expect.denied()));
        cases.add(generated("invalid UTF-8 in the uid", () -> withBytes(review("u@", "v1", pod("")), "C0 AF"),
                Expect.rejected(400, "malformed JSON: invalid UTF-8 at byte ")));

        // Nesting: the documented limit (portcullis.webhook.max-nesting-depth, 1000) holds end to end.
        for (int depth : new int[] {999, 1000}) {
            cases.add(generated("nesting depth " + depth + " (arrays)", () -> deep(depth, '[', ']'), Expect.denied()));
            cases.add(generated("nesting depth " + depth + " (objects)", () -> deep(depth, '{', '}'), Expect.denied()));
        }
        for (int depth : new int[] {1001, 100_000}) {
            cases.add(generated("nesting depth " + depth, () -> deep(depth, '[', ']'),
                    Expect.answered(400, "Document nesting depth (1001) exceeds the maximum allowed (1000)")));
        }
        cases.add(new Case("nesting depth 100000 before the uid",
                () -> utf8("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"object\":"
                        + pod(",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000)) + ",\"uid\":\"late\"}}"),
                "application/json", false, "late", AdmissionReviews.V1,
                Expect.rejected(400, "Document nesting depth (1001) exceeds the maximum allowed (1000)")));

        // Width.
        cases.add(generated("a million-element array", () -> pod1(",\"x\":[" + "0,".repeat(999_999) + "0]"),
                Expect.notAllowed()));
        cases.add(generated("5,000 containers", () -> podWith(containers(5_000)), Expect.notAllowed()));
        cases.add(generated("20,000 hostPorts", () -> podWith("[{\"name\":\"c\",\"image\":\"nginx\",\"ports\":["
                + ports(20_000) + "]}]"), Expect.notAllowed()));

        // Size (the limit is 16 MiB; a string may have 8 MiB).
        cases.add(generated("1 MiB body", () -> annotated(1, MIB - 1024), Expect.denied()));
        cases.add(generated("a string over 8 MiB", () -> annotated(1, 8 * MIB + 1),
                Expect.answered(400, "String value length (8388609) exceeds the maximum allowed (8388608)")));
        cases.add(generated("15 MiB body", () -> annotated(15, MIB - 1024), Expect.notAllowed()));
        cases.add(generated("16 MiB + 1 byte", () -> exactly(16 * MIB + 1), Expect.answered(413, "is too large")));
        cases.add(generated("20 MiB body", () -> annotated(20, MIB), Expect.answered(413, "is too large")));
        cases.add(new Case("20 MiB chunked without a uid before the limit",
                () -> utf8("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"object\":"
                        + pod(",\"x\":[" + "\"0123456789abcdef\",".repeat(20 * MIB / 19) + "0]") + ",\"uid\":\"late\"}}"),
                "application/json", true, "late", AdmissionReviews.V1, Expect.rejected(413, "is too large")));

        // Content types: the body is read as JSON whatever the header says, as the API server only sends JSON.
        for (String type : new String[] {"text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data", "multipart/form-data; boundary=x", "application/json; charset=utf-16", null}) {
            cases.add(new Case("Content-Type " + type, () -> labelled("a"), type, false, "u", AdmissionReviews.V1,
                    Expect.denied()));
        }
        cases.add(new Case("a multipart body", () -> utf8("--x\r\nContent-Disposition: form-data; name=\"review\"\r\n\r\n"
                + new String(labelled("a"), StandardCharsets.UTF_8) + "\r\n--x--\r\n"), "multipart/form-data; boundary=x",
                false, "u", AdmissionReviews.V1, Expect.rejected(400, "malformed JSON: Unexpected character ('-'")));
        cases.add(new Case("admission.k8s.io/v1beta1, chunked", () -> utf8(review("u", "v1beta1", pod(""))),
                "application/json", true, "u", AdmissionReviews.V1BETA1, Expect.denied()));
        return cases;
    }

    static Stream<Case> corpus() {
        return Stream.concat(files().stream(), generated().stream());
    }

    // ---- the tests ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Order(1)
    void validation(Case c) throws Exception {
        HttpResponse<String> response = post("/v1/admit", c);
        JsonNode body = assertWellFormed(c, response);
        Expect expect = c.expect();
        switch (expect.outcome()) {
            case REJECTED -> {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(expect.code());
                assertThat(body.path("message").stringValue()).contains(expect.message());
            }
            case ANSWERED -> {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(body.at("/response/status/code").intValue()).as(response.body()).isEqualTo(expect.code());
                assertThat(body.at("/response/status/message").stringValue()).contains(expect.message());
            }
            case DENIED -> {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(body.at("/response/status/code").intValue()).as(response.body()).isEqualTo(403);
                assertThat(body.at("/response/status/message").stringValue()).startsWith(DENIAL);
            }
            case NOT_ALLOWED -> {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                // Which answer depends on the machine's speed (the denial, or the deadline); say which it was.
                System.out.printf("%s: code %d, %s%n", c.name(), body.at("/response/status/code").intValue(),
                        abbreviated(body.at("/response/status/message").stringValue()).lines().findFirst().orElse(""));
            }
        }
        if (response.statusCode() == 200) {
            // Every Pod here breaks the constraint: allowed can only come from the hostile part.
            assertThat(body.at("/response/allowed").booleanValue()).as(abbreviated(response.body())).isFalse();
        }
    }

    /** The mutation webhook shares the reader and the transport; its answers obey the same rules. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Order(2)
    void mutation(Case c) throws Exception {
        HttpResponse<String> response = post("/v1/mutate", c);
        assertWellFormed(c, response);
        if (c.expect().outcome() == Outcome.REJECTED) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(c.expect().code());
        }
    }

    @Test
    @Order(3)
    void theServerStaysHealthyAfterTheCorpus() throws Exception {
        HttpResponse<String> live = server.get("/livez");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).path("status").stringValue()).isEqualTo("UP");
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);

        HttpResponse<String> denied = post("/v1/admit", new Case("plain", () -> utf8(review("after", "v1", pod(""))),
                "application/json", false, "after", AdmissionReviews.V1, Expect.denied()));
        JsonNode answer = JSON.readTree(denied.body()).path("response");
        assertThat(answer.path("allowed").booleanValue()).isFalse();
        assertThat(answer.at("/status/message").stringValue()).isEqualTo(DENIAL + ": seccompProfile is set neither on"
                + " the container nor on the pod, so it would run Unconfined; allowed types: Localhost, RuntimeDefault");

        String compliant = pod(",\"securityContext\":{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}");
        HttpResponse<String> allowed = post("/v1/admit", new Case("compliant", () -> utf8(review("ok", "v1", compliant)),
                "application/json", false, "ok", AdmissionReviews.V1, Expect.notAllowed()));
        assertThat(JSON.readTree(allowed.body()).at("/response/allowed").booleanValue()).as(allowed.body()).isTrue();
    }

    @Test
    void everyFileInTheCorpusHasAnExpectation() throws Exception {
        Set<String> listed = new TreeSet<>();
        files().forEach(c -> listed.add(c.name()));
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            files.forEach(f -> present.add(f.getFileName().toString()));
        }
        assertThat(present).isEqualTo(listed);
    }

    // ---- checks ----

    /**
     * What every answer must be: HTTP 200 with an AdmissionReview echoing the request's apiVersion and uid, or a
     * 4xx with a Kubernetes Status; JSON in both cases, and nothing of our internals.
     */
    private static JsonNode assertWellFormed(Case c, HttpResponse<String> response) {
        String text = response.body();
        assertThat(response.statusCode()).as(abbreviated(text)).satisfiesAnyOf(
                status -> assertThat(status).isEqualTo(200),
                status -> assertThat(status).isBetween(400, 499));
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(text).as("no stack trace or Java name")
                .doesNotContain("\tat ")
                .doesNotContainPattern("\\b(java|javax|jakarta|tools\\.jackson|com\\.fasterxml|org\\.springframework|"
                        + "org\\.apache|com\\.dylibso|com\\.styra|io\\.portcullis)\\.")
                .doesNotContainPattern("\\b\\w*(Exception|Error|Feature|Constraints)\\b")
                .doesNotContainPattern("`\\w+(\\.\\w+)+`");
        JsonNode body = JSON.readTree(text);
        if (response.statusCode() == 200) {
            assertThat(body.path("kind").stringValue()).isEqualTo("AdmissionReview");
            assertThat(body.path("apiVersion").stringValue()).isEqualTo(c.apiVersion());
            assertThat(body.at("/response/uid").stringValue()).isEqualTo(c.uid());
            assertThat(body.at("/response/allowed").isBoolean()).isTrue();
            assertThat(body.at("/response/status/code").isInt()).isTrue();
        } else {
            assertThat(body.path("kind").stringValue()).isEqualTo("Status");
            assertThat(body.path("apiVersion").stringValue()).isEqualTo("v1");
            assertThat(body.path("status").stringValue()).isEqualTo("Failure");
            assertThat(body.path("code").intValue()).isEqualTo(response.statusCode());
            assertThat(body.path("reason").stringValue()).isNotBlank();
            assertThat(body.path("message").stringValue()).isNotBlank();
        }
        return body;
    }

    private static HttpResponse<String> post(String path, Case c) throws Exception {
        byte[] bytes = c.body().get();
        HttpRequest.BodyPublisher body = c.chunked()
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))
                : HttpRequest.BodyPublishers.ofByteArray(bytes);
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60)).POST(body);
        if (c.contentType() != null) {
            request.header("Content-Type", c.contentType());
        }
        try (HttpClient client = server.client()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 600 ? text : text.substring(0, 600) + "... (" + text.length() + " characters)";
    }

    // ---- bodies ----

    private static Case generated(String name, Supplier<byte[]> body, Expect expect) {
        return new Case(name, body, "application/json", false, "u", AdmissionReviews.V1, expect);
    }

    /** An AdmissionReview creating the Pod default/web. */
    private static String review(String uid, String version, String pod) {
        return "{\"apiVersion\":\"admission.k8s.io/" + version + "\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\""
                + uid + "\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\","
                + "\"version\":\"v1\",\"resource\":\"pods\"},\"name\":\"web\",\"namespace\":\"default\",\"operation\":"
                + "\"CREATE\",\"userInfo\":{\"username\":\"alice\"},\"object\":" + pod + ",\"oldObject\":null}}";
    }

    /** Pod default/web with container c (no seccomp profile); {@code spec} is added to its spec. */
    private static String pod(String spec) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]" + spec + "}}";
    }

    private static byte[] pod1(String spec) {
        return utf8(review("u", "v1", pod(spec)));
    }

    private static byte[] podWith(String containers) {
        return utf8(review("u", "v1", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\","
                + "\"namespace\":\"default\"},\"spec\":{\"containers\":" + containers + "}}"));
    }

    /** The review whose whole document nests {@code depth} levels: review, request, object, spec, then x. */
    private static byte[] deep(int depth, char open, char close) {
        int levels = depth - 4;
        String value = open == '[' ? "[".repeat(levels) + "]".repeat(levels)
                : "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
        return pod1(",\"x\":" + value);
    }

    /** Container c, then n - 1 more, none with a seccomp profile. */
    private static String containers(int n) {
        StringBuilder out = new StringBuilder("[{\"name\":\"c\",\"image\":\"nginx\"}");
        for (int i = 1; i < n; i++) {
            out.append(",{\"name\":\"c").append(i).append("\",\"image\":\"nginx\"}");
        }
        return out.append(']').toString();
    }

    private static String ports(int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append("{\"containerPort\":").append(i + 1).append(",\"hostPort\":")
                    .append(i + 1).append('}');
        }
        return out.toString();
    }

    /** The review with {@code count} annotations of {@code size} characters each. */
    private static byte[] annotated(int count, int size) {
        StringBuilder annotations = new StringBuilder();
        String value = "v".repeat(size);
        for (int i = 0; i < count; i++) {
            annotations.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":\"").append(value).append('"');
        }
        String pod = pod("").replace("\"namespace\":\"default\"}", "\"namespace\":\"default\",\"annotations\":{"
                + annotations + "}}");
        return utf8(review("u", "v1", pod));
    }

    /** A review of exactly {@code bytes} bytes, padded in an annotation. */
    private static byte[] exactly(int bytes) {
        byte[] empty = annotated(1, 0);
        return annotated(1, bytes - empty.length);
    }

    /** The review of a Pod labelled {@code app: <value>}. */
    private static byte[] labelled(String value) {
        return utf8(review("u", "v1", pod("").replace("\"namespace\":\"default\"}",
                "\"namespace\":\"default\",\"labels\":{\"app\":\"" + value + "\"}}")));
    }

    /** The text with its first '@' replaced by these bytes (hex, space-separated). */
    private static byte[] withBytes(byte[] text, String hex) {
        String[] parts = hex.split(" ");
        int at = new String(text, StandardCharsets.ISO_8859_1).indexOf('@');
        byte[] out = new byte[text.length - 1 + parts.length];
        System.arraycopy(text, 0, out, 0, at);
        for (int i = 0; i < parts.length; i++) {
            out[at + i] = (byte) Integer.parseInt(parts[i], 16);
        }
        System.arraycopy(text, at + 1, out, at + parts.length, text.length - at - 1);
        return out;
    }

    private static byte[] withBytes(String text, String hex) {
        return withBytes(utf8(text), hex);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
