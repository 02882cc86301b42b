package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code portcullis audit -f}: manifests audited without a cluster, through the real command line. */
class AuditCommandTest {
    static final String TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8srequiredowner
            spec:
              crd:
                spec:
                  names:
                    kind: K8sRequiredOwner
              targets:
                - target: admission.k8s.gatekeeper.sh
                  rego: |
                    package k8srequiredowner

                    violation[{"msg": msg}] {
                      not input.review.object.metadata.labels.owner
                      msg := sprintf("%v %v has no owner label", [input.review.object.kind, input.review.object.metadata.name])
                    }
            """;

    static final String CONSTRAINTS = """
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sRequiredOwner
            metadata:
              name: pods-need-owner
            spec:
              match:
                kinds: [{apiGroups: [""], kinds: [Pod]}]
                excludedNamespaces: [kube-system]
            ---
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sRequiredOwner
            metadata:
              name: namespaces-should-have-owner
            spec:
              enforcementAction: warn
              match:
                kinds: [{apiGroups: [""], kinds: [Namespace]}]
            """;

    static final String OBJECTS = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: unowned, namespace: team-a}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: owned, namespace: team-a, labels: {owner: me}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: system, namespace: kube-system}
            """;

    /** What {@code kubectl get pods -o yaml} writes: a List. */
    static final String LIST = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Pod
                metadata: {name: listed-1, namespace: team-a}
              - apiVersion: v1
                kind: Pod
                metadata: {name: listed-2, namespace: team-a, labels: {owner: you}}
            """;

    record Run(int exitCode, String out, String err) {
    }

    @TempDir
    Path dir;
    Path templates;
    Path constraints;
    Path objects;

    @BeforeEach
    void files() throws IOException {
        templates = Files.createDirectories(dir.resolve("templates"));
        Files.writeString(templates.resolve("owner.yaml"), TEMPLATE);
        constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.writeString(constraints.resolve("owner.yaml"), CONSTRAINTS);
        objects = Files.createDirectories(dir.resolve("objects"));
        Files.writeString(objects.resolve("objects.yaml"), OBJECTS);
        Files.writeString(objects.resolve("list.yml"), LIST);
        Files.writeString(objects.resolve("README.txt"), "not a manifest");
    }

    static Run audit(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = io.portcullis.Portcullis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("audit"));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private Run auditObjects(String... more) {
        List<String> args = new ArrayList<>(List.of("-f", objects.toString(), "--templates", templates.toString(),
                "--constraints", constraints.toString()));
        args.addAll(List.of(more));
        return audit(args.toArray(String[]::new));
    }

    @Test
    void aTableOfConstraintsThenOfViolationsAndASummary() {
        Run run = auditObjects();

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "CONSTRAINT                                     ACTION  VIOLATIONS",
                "K8sRequiredOwner/namespaces-should-have-owner  warn    1",
                "K8sRequiredOwner/pods-need-owner               deny    2",
                "",
                "CONSTRAINT                                     OBJECT               MESSAGE",
                "K8sRequiredOwner/namespaces-should-have-owner  Namespace team-a     Namespace team-a has no owner label",
                "K8sRequiredOwner/pods-need-owner               Pod team-a/listed-1  Pod listed-1 has no owner label",
                "K8sRequiredOwner/pods-need-owner               Pod team-a/unowned   Pod unowned has no owner label");
        assertThat(run.err()).contains("audited 6 objects in ").contains(": 3 violations (2 deny, 1 warn)");
    }

    @Test
    void failOnViolationsExitsOneForDenyViolationsOnly() throws IOException {
        assertThat(auditObjects("--fail-on-violations").exitCode()).isEqualTo(1);

        Files.writeString(objects.resolve("objects.yaml"), OBJECTS.replace("name: unowned", "name: unowned, labels: {owner: x}"));
        Files.delete(objects.resolve("list.yml"));
        Run warnOnly = auditObjects("--fail-on-violations");
        assertThat(warnOnly.exitCode()).isZero();
        assertThat(warnOnly.err()).contains(": 1 violations (1 warn)");
    }

    @Test
    void jsonReport() {
        Run run = auditObjects("-o", "json", "--violations-limit", "1");

        assertThat(run.exitCode()).isZero();
        JsonNode report = JsonMapper.builder().build().readTree(run.out());
        assertThat(report.get("auditTimestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(report.get("objectsReviewed").asLong()).isEqualTo(6);
        assertThat(report.get("totalViolations").asLong()).isEqualTo(3);
        assertThat(report.get("denyViolations").asLong()).isEqualTo(2);
        assertThat(report.at("/violationsByEnforcementAction/warn").asLong()).isEqualTo(1);
        JsonNode pods = report.get("constraints").get(1);
        assertThat(pods.get("name").asString()).isEqualTo("pods-need-owner");
        assertThat(pods.get("totalViolations").asLong()).isEqualTo(2);
        // The limit keeps the smallest entry: listed-1 sorts before unowned.
        assertThat(pods.get("violations").size()).isEqualTo(1);
        JsonNode entry = pods.get("violations").get(0);
        assertThat(entry.toString()).isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\",\"namespace\":\"team-a\","
                + "\"name\":\"listed-1\",\"message\":\"Pod listed-1 has no owner label\",\"enforcementAction\":\"deny\"}");
    }

    @Test
    void yamlReport() {
        Run run = auditObjects("-o", "yaml");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).doesNotStartWith("---");
        JsonNode report = YAMLMapper.builder().build().readTree(run.out());
        assertThat(report.get("totalViolations").asLong()).isEqualTo(3);
        assertThat(report.at("/constraints/0/violations/0/kind").asString()).isEqualTo("Namespace");
        assertThat(report.at("/constraints/0/violations/0/namespace").isMissingNode()).isTrue();
    }

    /**
     * ExpansionTemplates among the files: a Deployment is also audited as the Pod it would create, mutated by the
     * mutators among the files that take Generated objects, and that Pod's violations are reported on the Deployment
     * with the template's prefix and enforcementAction, as the cluster audit reports them.
     */
    @Test
    void deploymentsAreAuditedAsThePodsTheyWouldCreate() throws IOException {
        Files.delete(objects.resolve("list.yml"));
        Files.writeString(objects.resolve("objects.yaml"), OBJECTS.replace("name: unowned", "name: unowned, labels: {owner: x}"));
        Files.writeString(objects.resolve("deployments.yaml"), """
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata: {name: expand-deployments}
                spec:
                  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]
                  templateSource: spec.template
                  generatedGVK: {kind: Pod, group: "", version: v1}
                  enforcementAction: warn
                ---
                apiVersion: mutations.gatekeeper.sh/v1
                kind: AssignMetadata
                metadata: {name: owner-of-generated-billing-pods}
                spec:
                  match:
                    source: Generated
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    labelSelector: {matchLabels: {app: billing}}
                  location: metadata.labels.owner
                  parameters: {assign: {value: billing-team}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: team-a}
                spec:
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: nginx}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: billing, namespace: team-a}
                spec:
                  template:
                    metadata: {labels: {app: billing}}
                    spec: {containers: [{name: app, image: nginx}]}
                """);

        Run run = auditObjects("--fail-on-violations");

        assertThat(run.exitCode()).as("the Pod's violation is a warning: the template says so").isZero();
        assertThat(run.out().lines().toList()).contains(
                "K8sRequiredOwner/pods-need-owner               deny    1",
                "K8sRequiredOwner/pods-need-owner               Deployment.apps team-a/web  "
                        + "[Implied by expand-deployments] Pod web-pod has no owner label");
        assertThat(run.out()).doesNotContain("billing");
        assertThat(run.err()).contains("audited 8 objects in ").contains(": 2 violations");
        JsonNode report = JsonMapper.builder().build().readTree(auditObjects("-o", "json").out());
        JsonNode implied = report.at("/constraints/1/violations/0");
        assertThat(implied.get("kind").asString()).isEqualTo("Deployment");
        assertThat(implied.get("enforcementAction").asString()).isEqualTo("warn");
    }

    @Test
    void policiesMayComeWithTheObjects() throws IOException {
        Files.writeString(objects.resolve("template.yaml"), TEMPLATE);
        Files.writeString(objects.resolve("constraints.yaml"), CONSTRAINTS);

        Run run = audit("-f", objects.toString(), "--fail-on-violations");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(": 3 violations (2 deny, 1 warn)");
    }

    @Test
    void theProjectsSeccompTemplateOnItsSamples() {
        Path project = Path.of(System.getProperty("portcullis.project.dir", "."));
        Path template = project.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml");
        Path samples = project.resolve("constraint-templates/k8srequiredseccompprofile/samples/default-types");

        Run run = audit("-f", samples.toString(), "--templates", template.toString(), "-o", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode constraint = JsonMapper.builder().build().readTree(run.out()).get("constraints").get(0);
        assertThat(constraint.get("name").asString()).isEqualTo("require-seccomp-profile");
        List<String> violating = new ArrayList<>();
        constraint.get("violations").forEach(v -> violating.add(v.get("kind").asString() + "/" + v.get("name").asString()));
        assertThat(violating).contains("DaemonSet/node-agent", "StatefulSet/db", "Pod/web", "Deployment/api", "CronJob/backup")
                .doesNotContain("Job/migrate", "Pod/iis");
    }

    @Test
    void badInputExitsThree() throws IOException {
        Run missing = audit("-f", dir.resolve("nowhere").toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("nowhere: no such file or directory");

        Run noTemplate = audit("-f", objects.toString(), "--constraints", constraints.toString());
        assertThat(noTemplate.exitCode()).isEqualTo(3);
        assertThat(noTemplate.err()).contains("missing ConstraintTemplate: template \"k8srequiredowner\" not found");

        Files.writeString(objects.resolve("broken.yaml"), "kind: [unclosed");
        Run unparsable = auditObjects();
        assertThat(unparsable.exitCode()).isEqualTo(3);
        assertThat(unparsable.err()).contains("broken.yaml");
    }

    @Test
    void anObjectWithoutNamespaceIsNotInDefaultAsUnderGatorTest() throws IOException {
        Files.writeString(constraints.resolve("default.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sRequiredOwner
                metadata:
                  name: default-pods
                spec:
                  match:
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    namespaces: [default]
                """);
        Files.writeString(objects.resolve("objects.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: loose}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: defaulted, namespace: default}
                """);
        Files.delete(objects.resolve("list.yml"));
        Run run = auditObjects("-o", "json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> violations = new ArrayList<>();
        JsonMapper.builder().build().readTree(run.out()).get("constraints").forEach(c -> c.get("violations")
                .forEach(v -> violations.add(c.get("name").asString() + " " + v.get("name").asString())));
        // pods-need-owner has no namespace criteria and selects both; default-pods only the Pod in default.
        assertThat(violations).containsExactlyInAnyOrder("default-pods defaulted", "pods-need-owner defaulted",
                "pods-need-owner loose");
    }

    @Test
    void infinityInAnObjectIsBadInputNamingFileAndField() throws IOException {
        Path pod = objects.resolve("nan.yaml");
        Files.writeString(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team-a}\n"
                + "spec:\n  containers:\n  - name: a\n    securityContext: {runAsGroup: -.inf}\n");
        Run run = auditObjects();
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains(pod + ": spec.containers[0].securityContext.runAsGroup: -.inf is not a number JSON can hold");
    }

    @Test
    void usageErrorsExitTwo() {
        Run writeWithFiles = audit("-f", objects.toString(), "--write-status");
        assertThat(writeWithFiles.exitCode()).isEqualTo(2);
        assertThat(writeWithFiles.err()).contains("--write-status").contains("-f");

        assertThat(auditObjects("-o", "xml").err()).contains("unrecognized output format \"xml\"");
        assertThat(auditObjects("-o", "xml").exitCode()).isEqualTo(2);
        assertThat(audit("--templates-from-cluster", "--templates", templates.toString()).exitCode()).isEqualTo(2);
        assertThat(auditObjects("--chunk-size", "0").exitCode()).isEqualTo(2);
    }

    @Test
    void noProgressLineWithoutATerminal() {
        // Tests run with redirected streams: no carriage-return updates may reach the output.
        assertThat(AuditCommand.ProgressLine.isTerminal()).isFalse();
        assertThat(auditObjects().err()).doesNotContain("\r");
    }

    @Test
    void theProgressLineRewritesItselfInPlace() {
        StringWriter err = new StringWriter();
        AuditCommand.ProgressLine line = new AuditCommand.ProgressLine(new PrintWriter(err), true);
        line.update("pods", 1200, 3);
        line.clear();
        assertThat(err.toString()).isEqualTo("\rauditing pods: 1200 objects, 3 violations"
                + "\r" + " ".repeat(41) + "\r");
    }
}
