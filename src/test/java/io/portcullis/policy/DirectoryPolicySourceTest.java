package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.webhook.PortcullisProperties;
import io.portcullis.webhook.Readiness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's directories: a file that cannot load is a problem naming it, and the rest still loads. */
class DirectoryPolicySourceTest {
    @Test
    void infinityInAConstraintIsAProblemNamingFileAndField(@TempDir Path dir) throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.writeString(templates.resolve("t.yaml"), """
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata: {name: k8smax}
                spec:
                  crd:
                    spec:
                      names: {kind: K8sMax}
                      validation:
                        openAPIV3Schema:
                          type: object
                          properties:
                            max: {type: number}
                  targets:
                  - target: admission.k8s.gatekeeper.sh
                    rego: |
                      package k8smax
                      violation[{"msg": "too many"}] { input.review.object.spec.replicas > input.parameters.max }
                """);
        Files.writeString(constraints.resolve("inf.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sMax
                metadata: {name: unbounded}
                spec:
                  parameters: {max: .inf}
                """);
        Files.writeString(constraints.resolve("fine.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sMax
                metadata: {name: three}
                spec:
                  parameters: {max: 3}
                """);
        try (PolicyEngine engine = new PolicyEngine(EngineConfig.defaults())) {
            TemplateCompiler compiler = new TemplateCompiler(engine);
            PortcullisProperties properties = new PortcullisProperties(templates, List.of(constraints), List.of(),
                    List.of(), List.of(), "portcullis-system");
            PolicySnapshot snapshot = new DirectoryPolicySource(properties, compiler, new ActivePolicies(compiler),
                    new Readiness(event -> { })).load();
            assertThat(snapshot.problems()).singleElement().asString()
                    .startsWith(constraints.resolve("inf.yaml") + ": spec.parameters.max: .inf is not a number JSON can hold");
            assertThat(snapshot.validator().constraints()).extracting(c -> c.name()).containsExactly("three");
        }
    }
}
