package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * external_data through the real OPA compiler and the wasm host: the compiler accepts the call, the host hands it
 * to {@link ExternalData} with the evaluation's time left, one call per evaluation for the same request, and a
 * request that is not one is undefined (as a builtin error is in OPA).
 */
class ExternalDataBuiltinTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String REGO = """
            package ext

            first := external_data({"provider": "p", "keys": input.keys})
            second := external_data({"provider": "p", "keys": input.keys})
            same := first == second
            bad := external_data({"provider": "p", "keys": [1]})
            unknown := external_data({"provider": "nobody", "keys": ["a"]})
            """;

    record Call(String provider, List<String> keys, Duration timeLeft) {
    }

    static final List<Call> calls = new CopyOnWriteArrayList<>();
    static PolicyEngine engine;
    static PolicyEvaluator evaluator;

    @BeforeAll
    static void start() throws Exception {
        ExternalData echo = (provider, keys, timeLeft) -> {
            calls.add(new Call(provider, keys, timeLeft));
            if (!provider.equals("p")) {
                return ExternalData.failure(400, ExternalData.UNKNOWN_PROVIDER);
            }
            var answer = JSON.createObjectNode();
            var responses = answer.putArray("responses");
            keys.forEach(k -> responses.addArray().add(k).add(k + "_valid"));
            answer.putArray("errors");
            answer.put("status_code", 200).put("system_error", "");
            return answer;
        };
        engine = new PolicyEngine(EngineConfig.defaults().withExternalData(echo));
        CompiledPolicy policy = engine.compile(List.of(new RegoModule("ext.rego", REGO, RegoVersion.V1)),
                List.of("ext/first", "ext/same", "ext/bad", "ext/unknown"));
        evaluator = policy.withData(JSON.createObjectNode());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void theHostAnswersWithinTheEvaluationsDeadline() throws Exception {
        calls.clear();
        JsonNode first = evaluator.evaluate("ext/first", JSON.readTree("{\"keys\": [\"nginx:1.27\"]}"));

        assertThat(first).isEqualTo(JSON.readTree(
                "{\"responses\":[[\"nginx:1.27\",\"nginx:1.27_valid\"]],\"errors\":[],\"status_code\":200,\"system_error\":\"\"}"));
        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.provider()).isEqualTo("p");
            assertThat(call.keys()).containsExactly("nginx:1.27");
            assertThat(call.timeLeft()).isPositive().isLessThanOrEqualTo(EngineConfig.defaults().evaluationDeadline());
        });
    }

    @Test
    void theSameCallIsAskedOncePerEvaluationAndAgainInTheNext() throws Exception {
        calls.clear();
        JsonNode input = JSON.readTree("{\"keys\": [\"a\", \"b\"]}");

        assertThat(evaluator.evaluate("ext/same", input).booleanValue()).isTrue();
        assertThat(calls).hasSize(1);
        evaluator.evaluate("ext/same", input);
        assertThat(calls).hasSize(2);
    }

    @Test
    void keysThatAreNotStringsMakeTheCallUndefined() throws Exception {
        calls.clear();
        assertThat(evaluator.evaluate("ext/bad", JSON.createObjectNode())).isNull();
        assertThat(calls).isEmpty();
    }

    @Test
    void anUnknownProviderIsAnAnswerNotAnError() throws Exception {
        JsonNode unknown = evaluator.evaluate("ext/unknown", JSON.createObjectNode());

        assertThat(unknown.path("status_code").asInt()).isEqualTo(400);
        assertThat(unknown.path("system_error").asString()).isEqualTo("key is not found in provider cache");
    }

    @Test
    void withoutProvidersEveryCallIsAnUnknownProvider() throws Exception {
        try (PolicyEngine plain = new PolicyEngine(EngineConfig.defaults())) {
            CompiledPolicy policy = plain.compile(List.of(new RegoModule("ext.rego", REGO, RegoVersion.V1)),
                    List.of("ext/first"));
            JsonNode first = policy.withData(JSON.createObjectNode()).evaluate("ext/first",
                    JSON.readTree("{\"keys\": [\"a\"]}"));
            assertThat(first).isEqualTo(JSON.readTree(
                    "{\"responses\":null,\"errors\":null,\"status_code\":400,\"system_error\":\"key is not found in provider cache\"}"));
            assertThat(policy.builtins()).contains("external_data");
        }
    }
}
