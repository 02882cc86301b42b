package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.match.Matcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gatekeeper-library templates that carry both Rego and CEL ({@code K8sNativeValidation}) must decide alike
 * whichever driver runs them: every suite object, and variants of each (the object under CREATE, UPDATE and DELETE
 * admission requests, its containers repeated as init containers, its {@code securityContext}s removed), are
 * reviewed with the CEL driver and with the Rego driver, and each constraint must deny under both or neither.
 *
 * <p>Messages are compared too. They legitimately differ where the library wrote them differently: Rego reports
 * one violation per offending container with its name, CEL one per failed validation. Those templates are named in
 * {@link #DIFFERENT_MESSAGES}; every other template must give the same messages.
 */
class CelRegoDifferentialTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final TemplateCompiler CEL = Engines.COMPILER;
    private static final TemplateCompiler REGO = GatekeeperLibraryConformanceTest.WITHOUT_CEL;

    /** Templates whose CEL and Rego word or count their violations differently in the library itself. */
    static final Map<String, String> DIFFERENT_MESSAGES = new TreeMap<>(Map.ofEntries(
            Map.entry("K8sPSPAllowPrivilegeEscalationContainer", "CEL lists the images in one message, Rego a message per container name"),
            Map.entry("K8sPSPCapabilities", "CEL lists all containers' capabilities in one message, Rego one per container with the allowed list"),
            Map.entry("K8sPSPForbiddenSysctls", "CEL's messageExpression reads params.forbiddenSysctls, absent from the "
                    + "sample constraint, so the API server's fallback 'failed expression: ...' is the message"),
            Map.entry("K8sPSPHostFilesystem", "CEL prints the volume by string concatenation, Rego with sprintf's JSON"),
            Map.entry("K8sPSPHostNetworkingPorts", "Rego appends the parameters ('Allowed values: ...'), CEL does not"),
            Map.entry("K8sPSPHostProcess", "the constraint has no parameters: variables.params is null and CEL's "
                    + "has(variables.params.exemptImages) is an evaluation error, which denies under failurePolicy Fail"),
            Map.entry("K8sPSPPrivilegedContainer", "CEL prints 'securityContext.privileged: true', Rego the securityContext as JSON"),
            Map.entry("K8sPSPProcMount", "CEL joins the containers with newlines; a multi-line message is refused by the "
                    + "API server's rules, so two bad containers fall back to 'failed expression: ...'"),
            Map.entry("K8sPSPSeccomp", "CEL joins the allowed profiles with ', ', Rego prints them as a set"),
            Map.entry("K8sPSPSeccompV2", "CEL and Rego print the allowed profiles in different notations"),
            Map.entry("K8sRequiredLabels", "the sample constraint sets its own message, which only the Rego reads")));

    private record Reviewed(List<String> cel, List<String> rego) {
    }

    @Test
    void celAndRegoDecideAlikeOnEverySuiteObjectAndItsVariants() throws Exception {
        Path library = GatekeeperLibraryConformanceTest.library();
        List<String> decisionDiffs = new ArrayList<>();
        Map<String, String> messageDiffs = new TreeMap<>();
        int reviews = 0;
        TreeSet<String> dualTemplates = new TreeSet<>();
        List<Suite> suites = new ArrayList<>();
        try (var files = Files.walk(library)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("suite.yaml")).sorted().toList()) {
                suites.addAll(Suite.find(p));
            }
        }
        for (Suite suite : suites) {
            Path dir = suite.path().getParent();
            for (Suite.Test test : suite.tests()) {
                if (test.template().isEmpty() || test.constraint().isEmpty()) {
                    continue;
                }
                ConstraintTemplate template = TemplateParser.parse(Manifests.readObjects(dir.resolve(test.template())).getFirst(), "");
                if (template.celSource() == null || template.rego() == null) {
                    continue;
                }
                dualTemplates.add(template.kind());
                JsonNode constraint = Manifests.readObjects(dir.resolve(test.constraint())).getFirst();
                Validator cel = validator(CEL, template, constraint);
                Validator rego = validator(REGO, template, constraint);
                for (Suite.Case c : test.cases()) {
                    if (!c.inventory().isEmpty() || c.object().isEmpty()) {
                        continue; // no dual template reads the inventory
                    }
                    ObjectNode object = Manifests.readObjects(dir.resolve(c.object())).getFirst();
                    for (Map.Entry<String, Review> variant : variants(object).entrySet()) {
                        String label = template.kind() + " " + test.name() + "/" + c.name() + " [" + variant.getKey() + "]";
                        Reviewed r = new Reviewed(messages(cel, variant.getValue()), messages(rego, variant.getValue()));
                        reviews++;
                        if (r.cel().isEmpty() != r.rego().isEmpty()) {
                            decisionDiffs.add(label + ": CEL " + r.cel() + " vs Rego " + r.rego());
                        } else if (!new TreeSet<>(r.cel()).equals(new TreeSet<>(r.rego()))) {
                            messageDiffs.putIfAbsent(template.kind(), label + ": CEL " + r.cel() + " vs Rego " + r.rego());
                        }
                    }
                }
            }
        }
        System.out.println("compared " + reviews + " reviews of " + dualTemplates.size() + " templates with Rego and CEL");
        assertThat(dualTemplates).as("library templates with Rego and CEL").hasSizeGreaterThanOrEqualTo(12);
        assertThat(reviews).as("reviews compared").isGreaterThan(300);
        assertThat(decisionDiffs).as("objects the two drivers decide differently").isEmpty();
        assertThat(messageDiffs.keySet()).as("templates whose messages differ: " + messageDiffs)
                .isEqualTo(DIFFERENT_MESSAGES.keySet());
    }

    private static Validator validator(TemplateCompiler compiler, ConstraintTemplate template, JsonNode constraint)
            throws Exception {
        Validator validator = new Validator(compiler);
        validator.addTemplate(template);
        validator.addConstraint(constraint);
        return validator;
    }

    private static List<String> messages(Validator validator, Review review) throws ReviewException {
        return validator.review(review, EnforcementPoint.GATOR).stream().map(Result::msg).toList();
    }

    /** The object as the suite reviews it, and variants that take other paths through both drivers' code. */
    static Map<String, Review> variants(ObjectNode object) throws InvalidObjectException {
        Map<String, Review> out = new LinkedHashMap<>();
        if (JsonFields.text(object.path("kind")).equals("AdmissionReview")) {
            out.put("as is", Review.ofAdmissionRequest(object.get("request"), null));
            return out;
        }
        out.put("as is", Review.ofObject(object, null, Matcher.Source.ORIGINAL));
        out.put("CREATE", Review.ofAdmissionRequest(request("CREATE", object, null), null));
        out.put("UPDATE", Review.ofAdmissionRequest(request("UPDATE", object, object), null));
        out.put("DELETE", Review.ofAdmissionRequest(request("DELETE", null, object), null));
        JsonNode spec = object.path("spec");
        if (spec.path("containers").isArray()) {
            ObjectNode initToo = object.deepCopy();
            ArrayNode init = ((ObjectNode) initToo.get("spec")).putArray("initContainers");
            for (JsonNode container : spec.get("containers")) {
                ObjectNode copy = (ObjectNode) container.deepCopy();
                copy.put("name", "init-" + JsonFields.text(container.path("name")));
                init.add(copy);
            }
            out.put("containers as init containers too", Review.ofObject(initToo, null, Matcher.Source.ORIGINAL));
        }
        ObjectNode bare = object.deepCopy();
        removeSecurityContexts(bare);
        out.put("no securityContext", Review.ofObject(bare, null, Matcher.Source.ORIGINAL));
        return out;
    }

    private static ObjectNode request(String operation, JsonNode object, JsonNode oldObject) {
        ObjectNode request = NODES.objectNode();
        request.put("uid", "differential");
        Gvk gvk = Gvk.of(object != null ? object : oldObject);
        request.putObject("kind").put("group", gvk.group()).put("version", gvk.version()).put("kind", gvk.kind());
        request.putObject("resource").put("group", gvk.group()).put("version", gvk.version()).put("resource", "pods");
        JsonNode subject = object != null ? object : oldObject;
        request.put("name", JsonFields.name(subject));
        request.put("namespace", JsonFields.namespace(subject));
        request.put("operation", operation);
        request.putObject("userInfo").put("username", "alice");
        request.set("object", object);
        request.set("oldObject", oldObject);
        return request;
    }

    private static void removeSecurityContexts(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("securityContext");
            o.forEach(CelRegoDifferentialTest::removeSecurityContexts);
        } else if (node instanceof ArrayNode a) {
            a.forEach(CelRegoDifferentialTest::removeSecurityContexts);
        }
    }
}
