package io.portcullis.cli;

import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.GatorNamespaces;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.ReviewException;
import io.portcullis.constraint.SuiteExpansion;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.expansion.Expander;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.match.Matcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code gator test} ([GK] pkg/gator/test/test.go): every ConstraintTemplate among the objects is added, then
 * every constraint, then every object (templates and constraints included) goes into {@code data.inventory}; then
 * every object is reviewed as audit reviews it (no operation, no userInfo) at the gator enforcement point. It is
 * matched with the Namespace gator gives it ({@link GatorNamespaces}: none is no {@code default}), and Rego sees
 * no {@code namespaceObject}, as gator passes none.
 */
public final class GatorTest {
    private GatorTest() {
    }

    /** A result and the object that produced it. */
    public record Violation(Result result, JsonNode violatingObject) {
    }

    /** An input gator refuses (a template or constraint that does not load, an object without kind...). */
    public static final class GatorTestException extends Exception {
        public GatorTestException(String message) {
            super(message);
        }
    }

    /** The violations, sorted as gator sorts them (enforcement action, then message). */
    public static List<Violation> run(List<ObjectNode> objects, TemplateCompiler compiler) throws GatorTestException {
        Validator validator = new Validator(compiler);
        for (ObjectNode obj : objects) {
            if (!TemplateParser.isTemplate(obj)) {
                continue;
            }
            try {
                validator.addTemplate(TemplateParser.parse(obj, JsonFields.name(obj)));
            } catch (InvalidTemplateException e) {
                throw new GatorTestException("adding template \"" + JsonFields.name(obj) + "\": " + e.getMessage());
            }
        }
        for (ObjectNode obj : objects) {
            if (!Constraint.isConstraint(obj)) {
                continue;
            }
            try {
                validator.addConstraint(obj);
            } catch (InvalidConstraintException e) {
                throw new GatorTestException("adding constraint \"" + JsonFields.name(obj) + "\": " + e.getMessage());
            }
        }
        for (ObjectNode obj : objects) {
            try {
                validator.addData(obj);
            } catch (InvalidObjectException e) {
                throw new GatorTestException("adding data of GVK \"" + Gvk.of(obj) + "\": " + e.getMessage());
            }
        }
        Map<String, JsonNode> namespaces = new HashMap<>();
        for (ObjectNode obj : objects) {
            if (JsonFields.isNamespace(obj)) {
                namespaces.put(JsonFields.name(obj), obj);
            }
        }
        validator.prepare(Duration.ZERO);
        Expander expander;
        try {
            expander = Expander.of(objects);
        } catch (ExpansionTemplate.InvalidExpansionTemplateException | IllegalArgumentException e) {
            throw new GatorTestException("error creating expander: error parsing resources: " + e.getMessage());
        }
        List<Violation> violations = new ArrayList<>();
        for (ObjectNode obj : objects) {
            JsonNode namespace = GatorNamespaces.of(obj, namespaces::get);
            List<Result> results;
            try {
                Review review = Review.ofObject(obj, namespace, Matcher.Source.ORIGINAL).withoutNamespaceObject();
                results = validator.review(review, EnforcementPoint.GATOR);
            } catch (InvalidObjectException | ReviewException e) {
                throw new GatorTestException("reviewing " + Gvk.of(obj) + " " + JsonFields.describe(obj) + ": " + e.getMessage());
            }
            if (!expander.isEmpty()) {
                // gator test reviews what objects expand into and reports it on them, as the webhook does.
                try {
                    results = VerifyExpansion.withResultants(expander, obj, namespace, results, validator);
                } catch (SuiteExpansion.ExpansionFailure e) {
                    throw new GatorTestException(e.getMessage());
                }
            }
            for (Result r : results) {
                violations.add(new Violation(r, obj));
            }
        }
        violations.sort(Comparator.comparing((Violation v) -> v.result().enforcementAction())
                .thenComparing(v -> v.result().msg()));
        return violations;
    }
}
