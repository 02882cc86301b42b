package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class AdmissionReviewReaderTest {

    private final AdmissionReviewReader reader = new AdmissionReviewReader(AdmissionLimits.DEFAULT);

    static String review(String apiVersion, String request) {
        return "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"AdmissionReview\",\"request\":" + request + "}";
    }

    static final String POD_UPDATE = """
            {"uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
             "kind":{"group":"","version":"v1","kind":"Pod"},
             "resource":{"group":"","version":"v1","resource":"pods"},
             "subResource":"status",
             "requestKind":{"group":"","version":"v1","kind":"Pod"},
             "requestResource":{"group":"","version":"v1","resource":"pods"},
             "requestSubResource":"status",
             "name":"web","namespace":"prod","operation":"UPDATE",
             "userInfo":{"username":"admin","uid":"014fbff9","groups":["system:authenticated"],
                         "extra":{"scopes":["a","b"]}},
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"}},
             "oldObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"a":"b"}}},
             "dryRun":true,
             "options":{"apiVersion":"meta.k8s.io/v1","kind":"UpdateOptions"}}""";

    private AdmissionReview read(String body) {
        return reader.read(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryFieldOfAV1Review() {
        AdmissionReview review = read(review("admission.k8s.io/v1", POD_UPDATE));

        assertThat(review.version()).isEqualTo(ReviewVersion.V1);
        AdmissionRequest r = review.request();
        assertThat(r.uid()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(r.kind()).isEqualTo(new GroupVersionKind("", "v1", "Pod"));
        assertThat(r.kind().apiVersion()).isEqualTo("v1");
        assertThat(r.resource()).isEqualTo(new GroupVersionResource("", "v1", "pods"));
        assertThat(r.subResource()).isEqualTo("status");
        assertThat(r.requestKind()).isEqualTo(new GroupVersionKind("", "v1", "Pod"));
        assertThat(r.requestResource()).isEqualTo(new GroupVersionResource("", "v1", "pods"));
        assertThat(r.requestSubResource()).isEqualTo("status");
        assertThat(r.name()).isEqualTo("web");
        assertThat(r.namespace()).isEqualTo("prod");
        assertThat(r.operation()).isEqualTo(Operation.UPDATE);
        assertThat(r.userInfo().username()).isEqualTo("admin");
        assertThat(r.userInfo().uid()).isEqualTo("014fbff9");
        assertThat(r.userInfo().groups()).containsExactly("system:authenticated");
        assertThat(r.userInfo().extra()).containsEntry("scopes", java.util.List.of("a", "b"));
        assertThat(r.object().at("/metadata/name").stringValue()).isEqualTo("web");
        assertThat(r.oldObject().at("/metadata/labels/a").stringValue()).isEqualTo("b");
        assertThat(r.dryRun()).isTrue();
        assertThat(r.options().path("kind").stringValue()).isEqualTo("UpdateOptions");
        // The raw request is what Gatekeeper hands to Rego as input.review.
        assertThat(r.raw().path("uid").stringValue()).isEqualTo(r.uid());
        assertThat(r.raw().path("userInfo").path("groups").size()).isEqualTo(1);
    }

    @Test
    void readsAV1beta1ReviewAndKeepsItsVersion() {
        AdmissionReview review = read(review("admission.k8s.io/v1beta1", POD_UPDATE));
        assertThat(review.version()).isEqualTo(ReviewVersion.V1BETA1);
        assertThat(review.request().uid()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    }

    @Test
    void absentFieldsAreEmptyAndObjectsAreJsonNull() {
        AdmissionRequest r = read(review("admission.k8s.io/v1",
                "{\"uid\":\"u1\",\"operation\":\"DELETE\",\"oldObject\":{\"kind\":\"ConfigMap\"}}")).request();
        assertThat(r.object().isNull()).isTrue();
        assertThat(r.oldObject().path("kind").stringValue()).isEqualTo("ConfigMap");
        assertThat(r.options().isNull()).isTrue();
        assertThat(r.name()).isEmpty();
        assertThat(r.namespace()).isEmpty();
        assertThat(r.kind()).isEqualTo(GroupVersionKind.NONE);
        assertThat(r.requestKind()).isEqualTo(GroupVersionKind.NONE);
        assertThat(r.userInfo()).isEqualTo(UserInfo.NONE);
        assertThat(r.dryRun()).isFalse();
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> read("{\"apiVersion\": \"admission.k8s.io/v1\",\n \"kind\": }"))
                .isInstanceOf(InvalidAdmissionReviewException.class)
                .hasMessageStartingWith("malformed JSON: ")
                .hasMessageContaining("line 2")
                .hasMessageNotContaining("REDACTED");
        assertThatThrownBy(() -> read("[1"))
                .hasMessageStartingWith("malformed JSON: ")
                .hasMessageNotContaining("REDACTED");
    }

    @Test
    void trailingGarbageIsMalformed() {
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"uid\":\"u\",\"operation\":\"CREATE\"}") + " {}"))
                .hasMessageStartingWith("malformed JSON");
    }

    @Test
    void emptyBodyIsRejected() {
        assertThatThrownBy(() -> read("")).hasMessageContaining("request body is empty");
        assertThatThrownBy(() -> read("  \n")).hasMessageContaining("request body is empty");
    }

    @Test
    void otherJsonIsNotAnAdmissionReview() {
        assertThatThrownBy(() -> read("[]")).hasMessage("expected an AdmissionReview object, got a JSON array");
        assertThatThrownBy(() -> read("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{}}"))
                .hasMessageContaining("expected kind AdmissionReview")
                .hasMessageContaining("got kind \"Pod\" and apiVersion \"v1\"");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v2", "{\"uid\":\"u\"}")))
                .hasMessageContaining("apiVersion \"admission.k8s.io/v2\"");
    }

    @Test
    void missingRequestOrUidIsRejected() {
        assertThatThrownBy(() -> read("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}"))
                .hasMessage("the AdmissionReview has no request");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "\"x\"")))
                .hasMessage("request must be an object, got a JSON string");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"operation\":\"CREATE\"}")))
                .hasMessageStartingWith("request.uid is missing");
    }

    @Test
    void wrongFieldTypesNameTheField() {
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"uid\":7}")))
                .hasMessage("request.uid must be a string, got a JSON number");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"kind\":\"Pod\"}")))
                .hasMessage("request.kind must be an object, got a JSON string");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":[1]}")))
                .hasMessage("request.object must be an object, got a JSON array");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"userInfo\":{\"groups\":[1]}}")))
                .hasMessageContaining("request.userInfo.groups must be an array of strings");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"dryRun\":\"yes\"}")))
                .hasMessage("request.dryRun must be a boolean, got a JSON string");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"uid\":\"u\",\"operation\":\"PATCH\"}")))
                .hasMessage("request.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got \"PATCH\"");
    }

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() {
        int depth = 100_000;
        String object = "{\"deep\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        String body = review("admission.k8s.io/v1", "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":" + object + "}");

        assertThatThrownBy(() -> read(body))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.tooLarge()).isFalse();
                    assertThat(e.overLimit()).isTrue();
                    // The uid came before the deep part: the review can still be answered.
                    assertThat(e.identified()).isTrue();
                    assertThat(e.uid()).isEqualTo("u");
                    assertThat(e.version()).isEqualTo(ReviewVersion.V1);
                })
                .hasMessageContaining("nesting depth")
                .hasMessageContaining("1000")
                .hasMessageNotContaining("StreamReadConstraints");
    }

    @Test
    void overLimitReviewsAreIdentifiedOnlyWhenTheyNameThemselvesBeforeTheLimit() {
        String deep = "{\"deep\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
        // The API server's order (kind, apiVersion, request.uid first), here in v1beta1.
        assertThatThrownBy(() -> read("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1beta1\","
                + "\"request\":{\"uid\":\"u1\",\"object\":" + deep + "}}"))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.identified()).isTrue();
                    assertThat(e.uid()).isEqualTo("u1");
                    assertThat(e.version()).isEqualTo(ReviewVersion.V1BETA1);
                });
        // The uid only after the deep object.
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"object\":" + deep + ",\"uid\":\"u2\"}")))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> assertThat(e.identified()).isFalse());
        // apiVersion only after it.
        assertThatThrownBy(() -> read("{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u3\",\"object\":" + deep
                + "},\"apiVersion\":\"admission.k8s.io/v1\"}"))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> assertThat(e.identified()).isFalse());
        // Not an AdmissionReview, or one of a version we do not serve.
        assertThatThrownBy(() -> read("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"request\":{\"uid\":\"u4\",\"o\":" + deep + "}}"))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> assertThat(e.identified()).isFalse());
        assertThatThrownBy(() -> read(review("admission.k8s.io/v2", "{\"uid\":\"u5\",\"object\":" + deep + "}")))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> assertThat(e.identified()).isFalse());
        // Malformed rather than over a limit: not answered, even with a uid.
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"uid\":\"u6\",\"object\":{]}")))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.overLimit()).isFalse();
                    assertThat(e.identified()).isFalse();
                });
    }

    @Test
    void nestingUpToTheLimitIsAccepted() {
        // review -> request -> object -> "deep" array: three levels above the arrays.
        int arrays = AdmissionLimits.DEFAULT.maxNestingDepth() - 3;
        String object = "{\"deep\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}";
        AdmissionReview review = read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":" + object + "}"));
        assertThat(review.request().object().path("deep").isArray()).isTrue();
    }

    @Test
    void oversizedBodiesAreTooLargeWhetherDeclaredOrStreamed() {
        AdmissionReviewReader small = new AdmissionReviewReader(new AdmissionLimits(1024, 100, 1024));
        String body = review("admission.k8s.io/v1", "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":{\"data\":\""
                + "x".repeat(900) + "\",\"more\":\"" + "y".repeat(900) + "\"}}");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> small.read(new ByteArrayInputStream(bytes), bytes.length))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.tooLarge()).isTrue();
                    assertThat(e.identified()).isTrue();
                    assertThat(e.uid()).isEqualTo("u");
                })
                .hasMessageContaining("too large (" + bytes.length + " bytes)")
                .hasMessageContaining("limit is 1024 bytes");
        // Chunked: no length up front, the stream is cut at the limit.
        assertThatThrownBy(() -> small.read(new ByteArrayInputStream(bytes), -1))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.tooLarge()).isTrue();
                    assertThat(e.identified()).isTrue();
                    assertThat(e.uid()).isEqualTo("u");
                })
                .hasMessageContaining("too large");
        // No uid before the limit: nothing to answer to.
        byte[] anonymous = review("admission.k8s.io/v1", "{\"object\":{\"data\":\"" + "x".repeat(2000) + "\"},\"uid\":\"u\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> small.read(new ByteArrayInputStream(anonymous), -1))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> assertThat(e.identified()).isFalse());
    }

    @Test
    void overlongStringsAreRejected() {
        AdmissionReviewReader strict = new AdmissionReviewReader(new AdmissionLimits(1 << 20, 100, 1000));
        assertThatThrownBy(() -> strict.read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":{\"s\":\"" + "z".repeat(5000) + "\"}}")
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.tooLarge()).isFalse();
                    assertThat(e.identified()).isTrue();
                })
                .hasMessageContaining("String value length");
    }

    @Test
    void wellFormedUtf8OfEveryLengthIsReadEvenSplitAcrossReads() {
        String labels = "{\"a\":\"ascii\",\"b\":\"caf\u00e9\",\"c\":\"\u20ac\",\"d\":\"\ud83d\ude00\",\"e\":\"\udbff\udfff\"}";
        byte[] body = review("admission.k8s.io/v1", "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":{\"labels\":"
                + labels + "}}").getBytes(StandardCharsets.UTF_8);
        // One byte per read: every multi-byte character is cut between reads.
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(body)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        AdmissionReview review = reader.read(trickle, body.length);
        assertThat(review.request().object().path("labels").path("b").stringValue()).isEqualTo("caf\u00e9");
        assertThat(review.request().object().path("labels").path("d").stringValue()).isEqualTo("\ud83d\ude00");
        assertThat(review.request().object().path("labels").path("e").stringValue()).isEqualTo("\udbff\udfff");
    }

    @Test
    void illFormedUtf8IsMalformedEvenWhereJacksonWouldDecodeIt() {
        // An overlong '/', an overlong NUL, a surrogate, past U+10FFFF, a cut sequence, bytes that never occur.
        for (int[] bad : new int[][] {{0xC0, 0xAF}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80},
                {0xE2, 0x82}, {0xFF}, {0x80}}) {
            byte[] head = ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
                    + "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":{\"s\":\"").getBytes(StandardCharsets.UTF_8);
            byte[] tail = "\"}}}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            for (int i = 0; i < bad.length; i++) {
                body[head.length + i] = (byte) bad[i];
            }
            System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
            assertThatThrownBy(() -> reader.read(body))
                    .as("bytes %s", java.util.Arrays.toString(bad))
                    .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> assertThat(e.overLimit()).isFalse())
                    .hasMessageStartingWith("malformed JSON: invalid UTF-8 at byte ");
        }
    }

    @Test
    void aKeyTwiceIsMalformed() {
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1", "{\"uid\":\"u\",\"uid\":\"v\",\"operation\":\"CREATE\"}")))
                .hasMessageStartingWith("malformed JSON: Duplicate Object property \"uid\"");
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":{\"metadata\":{\"labels\":{\"a\":\"1\",\"a\":\"2\"}}}}")))
                .hasMessageStartingWith("malformed JSON: Duplicate Object property \"a\"");
    }

    @Test
    void numbersBeyondADoubleAreOverALimitAndOthersKeepTheirValue() {
        assertThatThrownBy(() -> read(review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":{\"n\":-1e400}}")))
                .isInstanceOfSatisfying(InvalidAdmissionReviewException.class, e -> {
                    assertThat(e.overLimit()).isTrue();
                    assertThat(e.identified()).isTrue();
                    assertThat(e.uid()).isEqualTo("u");
                })
                .hasMessage("AdmissionReview exceeds a parser limit: a number is beyond the range of a 64-bit float"
                        + " (about \u00b11.8e308)");
        AdmissionReview review = read(review("admission.k8s.io/v1", "{\"uid\":\"u\",\"operation\":\"CREATE\","
                + "\"object\":{\"big\":18446744073709551616,\"tiny\":1e-400,\"max\":1.7976931348623157e308}}"));
        assertThat(review.request().object().path("big").bigIntegerValue()).isEqualTo(java.math.BigInteger.TWO.pow(64));
        assertThat(review.request().object().path("tiny").doubleValue()).isZero();
        assertThat(review.request().object().path("max").doubleValue()).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void jacksonsAdviceOnItsOwnSwitchesIsLeftOut() {
        assertThatThrownBy(() -> read("{\"n\":NaN}")).hasMessageStartingWith("malformed JSON: Non-standard token 'NaN' at line 1,");
        assertThatThrownBy(() -> read("/* c */ {}"))
                .hasMessageStartingWith("malformed JSON: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? at")
                .hasMessageNotContaining("Feature");
        assertThat(AdmissionReviewReader.withoutJacksonHint("Unrecognized token 'x': was expecting a value"))
                .isEqualTo("Unrecognized token 'x': was expecting a value");
    }
}
