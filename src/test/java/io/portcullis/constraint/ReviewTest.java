package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.admission.AdmissionLimits;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionReviewReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The webhook renders Rego's {@code input.review} from the request its reader typed; gator suites render it from
 * the JSON. Both must give Go's serialisation of the same request, field for field.
 */
class ReviewTest {
    private static final AdmissionReviewReader READER = new AdmissionReviewReader(AdmissionLimits.DEFAULT);
    private static final String POD = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','namespace':'team-a'}}";

    private static AdmissionRequest typed(ObjectNode request) {
        String review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":" + request + "}";
        return READER.read(review.getBytes(StandardCharsets.UTF_8)).request();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // What the API server sends for a CREATE: every pointer field present.
        "{'uid':'u-1','kind':{'group':'','version':'v1','kind':'Pod'},'resource':{'group':'','version':'v1','resource':'pods'},"
            + "'requestKind':{'group':'','version':'v1','kind':'Pod'},'requestResource':{'group':'','version':'v1','resource':'pods'},"
            + "'name':'web','namespace':'team-a','operation':'CREATE','userInfo':{'username':'alice','uid':'42',"
            + "'groups':['dev','system:authenticated'],'extra':{'scopes':['a','b'],'none':[]}},'object':" + POD + ","
            + "'dryRun':false,'options':{'kind':'CreateOptions','apiVersion':'meta.k8s.io/v1'}}",
        // Hand-written: no requestKind, requestResource, dryRun, options or userInfo; Go omits them or writes null.
        "{'uid':'u-2','kind':{'group':'apps','version':'v1','kind':'Deployment'},'resource':{'group':'apps','version':'v1',"
            + "'resource':'deployments'},'subResource':'scale','name':'web','namespace':'team-a','operation':'UPDATE',"
            + "'object':" + POD + ",'oldObject':" + POD + "}",
        // DELETE: object is the old object.
        "{'uid':'u-3','kind':{'group':'','version':'v1','kind':'Pod'},'resource':{'group':'','version':'v1','resource':'pods'},"
            + "'name':'web','namespace':'team-a','operation':'DELETE','oldObject':" + POD + ",'dryRun':true}",
        // A Namespace loses request.namespace (Gatekeeper #792); an empty requestKind is still present.
        "{'uid':'u-4','kind':{'group':'','version':'v1','kind':'Namespace'},'resource':{'group':'','version':'v1',"
            + "'resource':'namespaces'},'requestKind':{},'name':'team-a','namespace':'team-a','operation':'CREATE',"
            + "'object':{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a'}}}"
    })
    void theTypedRequestAndItsJsonGiveTheSameInput(String request) throws Exception {
        ObjectNode json = Json.obj(request);

        JsonNode fromJson = Review.ofAdmissionRequest(json, null).request();
        JsonNode fromTyped = Review.ofAdmissionRequest(typed(json), null).request();

        assertThat(fromTyped).isEqualTo(fromJson);
        // Spot checks of Go's rules, so that a rule broken in both renderings alike is caught too.
        assertThat(fromTyped.has("requestKind")).isEqualTo(json.has("requestKind"));
        assertThat(fromTyped.has("dryRun")).isEqualTo(json.has("dryRun"));
        if (json.path("operation").asString().equals("DELETE")) {
            assertThat(fromTyped.get("object")).isEqualTo(json.get("oldObject"));
        }
        if (json.path("kind").path("kind").asString().equals("Namespace")) {
            assertThat(fromTyped.has("namespace")).isFalse();
        }
    }

    @Test
    void aRequestWithoutObjectOrOldObjectIsRefusedEitherWay() {
        ObjectNode json = Json.obj("{'uid':'u-5','kind':{'group':'','version':'v1','kind':'Pod'},"
                + "'resource':{'group':'','version':'v1','resource':'pods'},'name':'web','operation':'CONNECT'}");
        String message = "AdmissionRequest does not contain an \"object\" or \"oldObject\" to review";

        assertThatThrownBy(() -> Review.ofAdmissionRequest(json, null)).hasMessage(message);
        assertThatThrownBy(() -> Review.ofAdmissionRequest(typed(json), null)).hasMessage(message);
    }

    @Test
    void aDeleteWithoutOldObjectIsRefusedEitherWay() {
        ObjectNode json = Json.obj("{'uid':'u-6','kind':{'group':'','version':'v1','kind':'Pod'},"
                + "'resource':{'group':'','version':'v1','resource':'pods'},'name':'web','operation':'DELETE',"
                + "'object':" + POD + "}");

        assertThatThrownBy(() -> Review.ofAdmissionRequest(json, null))
                .hasMessage("oldObject cannot be nil for DELETE operations");
        assertThatThrownBy(() -> Review.ofAdmissionRequest(typed(json), null))
                .hasMessage("oldObject cannot be nil for DELETE operations");
    }
}
