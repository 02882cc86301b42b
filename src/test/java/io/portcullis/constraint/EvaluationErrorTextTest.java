package io.portcullis.constraint;

import static io.portcullis.constraint.Engines.constraint;
import static io.portcullis.constraint.Engines.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.match.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * An evaluation error becomes the violation's message in Gatekeeper, as OPA's Go evaluator words it: {@code
 * template:50: eval_conflict_error: functions must not produce multiple outputs for same inputs}. Each case runs
 * through Portcullis and through OPA's Go evaluator with the modules named as Gatekeeper names them; the location
 * and error code must be OPA's, and the message the one Gatekeeper v3.23's OPA (v1.17) gives for the conflict
 * OPA reports. (Our OPA, v1.22, words the same conflicts differently and lists the values: "function
 * data.p.f produced conflicting values for the same inputs: ...".)
 */
class EvaluationErrorTextTest {
    private static final String OBJECT = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\","
            + "\"namespace\":\"default\"},\"data\":{\"a\":\"1\",\"b\":\"2\"},\"spec\":{\"values\":[1,2],\"n\":3}}";

    record Case(String name, String rego, String version, List<String> libs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("one function body, two outputs", """
                        package k8sconflict

                        f(x) = y {
                          y := x[_]
                        }

                        violation[{"msg": msg}] {
                          v := f(input.review.object.spec.values)
                          msg := sprintf("value %v", [v])
                        }
                        """, null, List.of()),
                new Case("two function rules, different outputs", """
                        package k8sconflict

                        f(x) = 1 { x > 0 }

                        f(x) = 2 { x > 1 }

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [f(input.review.object.spec.n)])
                        }
                        """, null, List.of()),
                new Case("function with else, defined twice", """
                        package k8sconflict

                        g(x) = 1 {
                          x > 5
                        } else = 2 {
                          true
                        }

                        g(x) = 3 { x > 0 }

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [g(input.review.object.spec.n)])
                        }
                        """, null, List.of()),
                new Case("one complete rule body, two values", """
                        package k8sconflict

                        v = y {
                          y := input.review.object.spec.values[_]
                        }

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [v])
                        }
                        """, null, List.of()),
                new Case("two complete rules, different values", """
                        package k8sconflict

                        v = "a" { input.review.object.data.a }
                        v = "b" { input.review.object.data.b }

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [v])
                        }
                        """, null, List.of()),
                new Case("partial object rule, one key twice", """
                        package k8sconflict

                        p[k] = v {
                          v := input.review.object.spec.values[_]
                          k := "same"
                        }

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [p])
                        }
                        """, null, List.of()),
                new Case("object comprehension, one key twice", """
                        package k8sconflict

                        violation[{"msg": msg}] {
                          o := {k: v | v := input.review.object.spec.values[_]; k := "same"}
                          msg := sprintf("value %v", [o])
                        }
                        """, null, List.of()),
                new Case("Rego v1 function", """
                        package k8sconflict

                        f(x) := y if {
                        	some y in x
                        }

                        violation contains {"msg": msg} if {
                        	msg := sprintf("value %v", [f(input.review.object.spec.values)])
                        }
                        """, "v1", List.of()),
                new Case("function in a lib", """
                        package k8sconflict

                        import data.lib.helpers

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [helpers.pick(input.review.object.spec.values)])
                        }
                        """, null, List.of("""
                        package lib.helpers

                        pick(x) = y {
                          y := x[_]
                        }
                        """)),
                new Case("complete rule in the second lib", """
                        package k8sconflict

                        import data.lib.second

                        violation[{"msg": msg}] {
                          msg := sprintf("value %v", [second.v])
                        }
                        """, null, List.of("package lib.first\n\nx = 1\n", """
                        package lib.second

                        v = y {
                          y := input.review.object.spec.values[_]
                        }
                        """)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conflictsReadAsInGatekeeper(Case c) throws Exception {
        String expected = goError(c);
        assertThat(expected).as("OPA's error").startsWith(c.libs().isEmpty() ? "template:" : "libs[\"lib_")
                .contains(": eval_conflict_error: ");

        Validator validator = new Validator(Engines.COMPILER);
        validator.addTemplate(template("K8sConflict", c.rego(), c.version(), c.libs(),
                "{'type':'object','x-kubernetes-preserve-unknown-fields':true}"));
        validator.addConstraint(constraint("K8sConflict", "conflict", "{}"));
        List<Result> results = validator.review(Review.ofObject(Json.obj(OBJECT), null, Matcher.Source.ORIGINAL),
                EnforcementPoint.AUDIT);
        assertThat(results).extracting(Result::msg).containsExactly(expected);
    }

    /** OPA's Go evaluator on the template, with Gatekeeper's module names: template, libs["lib_0"], ... */
    private static String goError(Case c) {
        String version = c.version() == null ? "v0" : c.version();
        List<GoRego.Module> modules = new ArrayList<>();
        modules.add(new GoRego.Module("template", c.rego(), version));
        for (int i = 0; i < c.libs().size(); i++) {
            modules.add(new GoRego.Module("libs[\"lib_" + i + "\"]", c.libs().get(i), version));
        }
        var answer = GoRego.get().eval(modules, "x := data.k8sconflict.violation",
                "{\"review\":{\"object\":" + OBJECT + "},\"parameters\":{}}");
        assertThat(answer.path("errors").isArray()).as("OPA's Go evaluator fails too: %s", answer).isTrue();
        return GoRego.gatekeeperError(answer);
    }
}
