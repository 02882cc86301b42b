package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.match.Matcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Batched evaluation against one-module-per-template: the whole gatekeeper-library loaded at once (every template
 * and every suite constraint), every suite object reviewed by a validator whose templates are grouped into
 * shared modules ({@link Validator#prepare}) and by one where each template runs in its own module. Both
 * evaluate all matching constraints of a template in one query; the grouped one also shares the review between
 * templates, which must change nothing: the same constraints, messages, details and actions, object by object.
 */
class GroupedEvaluationTest {
    static Validator grouped;
    static Validator separate;
    static final List<ObjectNode> objects = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        Path library = GatekeeperLibraryConformanceTest.library();
        Map<String, ObjectNode> templates = new LinkedHashMap<>();
        List<ObjectNode> constraints = new ArrayList<>();
        Set<Path> objectFiles = new LinkedHashSet<>();
        try (var files = Files.walk(library)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("suite.yaml")).sorted().toList()) {
                for (Suite suite : Suite.find(p)) {
                    Path dir = suite.path().getParent();
                    for (Suite.Test test : suite.tests()) {
                        if (test.invalid() || test.skip()) {
                            continue;
                        }
                        ObjectNode template = Manifests.readObjects(dir.resolve(test.template())).get(0);
                        templates.put(JsonFields.name(template), template);
                        ObjectNode constraint = Manifests.readObjects(dir.resolve(test.constraint())).get(0);
                        // Suites reuse constraint names; each gets its own here so all load together.
                        ((ObjectNode) constraint.get("metadata")).put("name", "c" + constraints.size());
                        constraints.add(constraint);
                        test.cases().forEach(c -> objectFiles.add(dir.resolve(c.object())));
                    }
                }
            }
        }
        for (Path file : objectFiles) {
            for (ObjectNode object : Manifests.readObjects(file)) {
                if (!"AdmissionReview".equals(object.path("kind").asString())) {
                    objects.add(object);
                }
            }
        }
        grouped = validator(templates.values(), constraints);
        separate = validator(templates.values(), constraints);
        grouped.prepare(Duration.ZERO);
    }

    private static Validator validator(Iterable<ObjectNode> templates, List<ObjectNode> constraints) throws Exception {
        // The CEL driver off: every library template runs its Rego, so all of them are grouped (with the driver on,
        // the templates with CEL code are not in any module).
        Validator validator = new Validator(GatekeeperLibraryConformanceTest.WITHOUT_CEL);
        for (ObjectNode template : templates) {
            validator.addTemplate(template);
        }
        for (ObjectNode constraint : constraints) {
            validator.addConstraint(constraint);
        }
        return validator;
    }

    @Test
    void theLibraryIsGroupedIntoFewModules() {
        assertThat(grouped.isPrepared()).isTrue();
        assertThat(separate.isPrepared()).isFalse();
        // k8spspseccomp is declared by two templates, which therefore cannot share a module.
        assertThat(grouped.groupedTemplates()).isGreaterThanOrEqualTo(grouped.templates().size() - 2);
        assertThat(grouped.units()).isLessThanOrEqualTo(4);
    }

    @Test
    void groupedAndPerTemplateEvaluationGiveTheSameResults() throws Exception {
        assertThat(objects).hasSizeGreaterThan(150);
        int withViolations = 0;
        for (ObjectNode object : objects) {
            Review review = Review.ofObject(object, null, Matcher.Source.ORIGINAL);
            List<String> a = describe(grouped.review(review, EnforcementPoint.AUDIT));
            List<String> b = describe(separate.review(review, EnforcementPoint.AUDIT));
            assertThat(a).as(JsonFields.describe(object)).isEqualTo(b);
            withViolations += a.isEmpty() ? 0 : 1;
        }
        assertThat(withViolations).as("objects with violations").isGreaterThan(80);
    }

    @Test
    void aTemplateThatFailsAtRuntimeFailsAloneInItsGroup() throws Exception {
        // The CEL driver off: every library template runs its Rego, so all of them are grouped (with the driver on,
        // the templates with CEL code are not in any module).
        Validator validator = new Validator(GatekeeperLibraryConformanceTest.WITHOUT_CEL);
        validator.addTemplate(Engines.template("K8sConflict",
                "package k8sconflict\nf(x) = 1 { true }\nf(x) = 2 { true }\n"
                        + "violation[{\"msg\": \"never\"}] { f(1) == 3 }\n"));
        validator.addTemplate(Engines.template("K8sAlways", "package k8salways\n"
                + "violation[{\"msg\": sprintf(\"%v says no\", [input.parameters.who])}] { true }\n"));
        validator.addConstraint(Engines.constraint("K8sConflict", "broken", "{}"));
        validator.addConstraint(Engines.constraint("K8sAlways", "fine", "{\"parameters\": {\"who\": \"fine\"}}"));
        validator.addConstraint(Engines.constraint("K8sAlways", "also-fine", "{\"parameters\": {\"who\": \"also\"}}"));
        validator.prepare(Duration.ZERO);
        assertThat(validator.groupedTemplates()).isEqualTo(2);

        List<Result> results = validator.review(Review.ofObject(
                Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'d'}}"), null,
                Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT);
        assertThat(results).extracting(Result::constraintName).containsExactlyInAnyOrder("broken", "fine", "also-fine");
        assertThat(results).filteredOn(r -> r.constraintName().equals("fine")).extracting(Result::msg)
                .containsExactly("fine says no");
        assertThat(results).filteredOn(r -> r.constraintName().equals("also-fine")).extracting(Result::msg)
                .containsExactly("also says no");
        // The failing group was queried again on its own module: neither template's own module was loaded for it.
        for (String kind : List.of("K8sConflict", "K8sAlways")) {
            assertThat(validator.template(kind).orElseThrow().unit().isLoaded()).as(kind + "'s own module").isFalse();
        }
        // The group module words the error as the template's own module does: OPA's text, Gatekeeper's names.
        Validator alone = new Validator(Engines.COMPILER);
        alone.addTemplate(Engines.template("K8sConflict",
                "package k8sconflict\nf(x) = 1 { true }\nf(x) = 2 { true }\n"
                        + "violation[{\"msg\": \"never\"}] { f(1) == 3 }\n"));
        alone.addConstraint(Engines.constraint("K8sConflict", "broken", "{}"));
        List<Result> own = alone.review(Review.ofObject(
                Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'d'}}"), null,
                Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT);
        assertThat(own).singleElement().extracting(Result::msg).asString().contains("eval_conflict_error");
        assertThat(results).filteredOn(r -> r.constraintName().equals("broken")).extracting(Result::msg)
                .containsExactly(own.get(0).msg());
    }

    private static List<String> describe(List<Result> results) {
        List<String> out = new ArrayList<>();
        for (Result r : results) {
            JsonNode details = r.details();
            out.add(r.constraintKind() + "/" + r.constraintName() + " " + r.actions() + " " + r.msg() + " " + details);
        }
        out.sort(null);
        return out;
    }
}
