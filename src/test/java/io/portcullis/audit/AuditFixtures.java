package io.portcullis.audit;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A real engine, an inline template, and a mock cluster that serves discovery as an API server does. */
final class AuditFixtures {
    static final PolicyEngine ENGINE = new PolicyEngine(EngineConfig.defaults());
    static final TemplateCompiler COMPILER = new TemplateCompiler(ENGINE);
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String KIND = "K8sRequiredOwner";

    /**
     * Objects without an {@code owner} label violate; the message names the object, the operation the review
     * carried (audit: none) and the {@code note} annotation if any, so tests can make long messages.
     */
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
                      msg := sprintf("%v %v has no owner label (operation %q, user %v)%v", [input.review.object.kind, input.review.object.metadata.name, input.review.operation, input.review.userInfo, note])
                    }

                    note = n {
                      n := concat("", [": ", input.review.object.metadata.annotations.note])
                    }

                    note = "" {
                      not input.review.object.metadata.annotations.note
                    }
            """;

    private AuditFixtures() {
    }

    static ObjectNode json(String text) {
        return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    }

    static ObjectNode yaml(String text) {
        try {
            return io.portcullis.constraint.Manifests.readObjects(text, "test").getFirst();
        } catch (io.portcullis.constraint.ManifestException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The owner constraint on Pods, with the given extra {@code spec.match} fields and action. */
    static ObjectNode constraint(String name, String action, String extraMatch) {
        return json("{'apiVersion':'constraints.gatekeeper.sh/v1beta1','kind':'K8sRequiredOwner',"
                + "'metadata':{'name':'" + name + "'},'spec':{'enforcementAction':'" + action + "',"
                + "'match':{'kinds':[{'apiGroups':[''],'kinds':['Pod']}]" + extraMatch + "}}}");
    }

    static Validator validator(ObjectNode... constraints) throws Exception {
        Validator validator = new Validator(COMPILER);
        validator.addTemplate(TemplateParser.parse(yaml(TEMPLATE), "template"));
        for (ObjectNode c : constraints) {
            validator.addConstraint(c);
        }
        return validator;
    }

    /**
     * What a real API server answers for discovery, which the CRUD mock does not: the core group with pods (and
     * their status subresource), namespaces and bindings (not listable); the apps group with deployments.
     */
    static void serveDiscovery(KubernetesMockServer server) {
        server.expect().get().withPath("/api/v1").andReturn(200, new APIResourceListBuilder()
                .withGroupVersion("v1")
                .withResources(
                        resource("pods", "Pod", true, "create", "delete", "get", "list", "patch", "watch"),
                        resource("pods/status", "Pod", true, "get", "patch", "update"),
                        resource("namespaces", "Namespace", false, "create", "get", "list", "watch"),
                        resource("bindings", "Binding", true, "create"))
                .build()).always();
        server.expect().get().withPath("/apis").andReturn(200, new APIGroupListBuilder()
                .withGroups(new APIGroupBuilder().withName("apps")
                        .addNewVersion().withGroupVersion("apps/v1").withVersion("v1").endVersion()
                        .withNewPreferredVersion().withGroupVersion("apps/v1").withVersion("v1").endPreferredVersion()
                        .build())
                .build()).always();
        server.expect().get().withPath("/apis/apps/v1").andReturn(200, new APIResourceListBuilder()
                .withGroupVersion("apps/v1")
                .withResources(resource("deployments", "Deployment", true, "get", "list", "watch"),
                        resource("deployments/scale", "Scale", true, "get", "patch"))
                .build()).always();
    }

    static APIResource resource(String name, String kind, boolean namespaced, String... verbs) {
        return new APIResourceBuilder().withName(name).withKind(kind).withNamespaced(namespaced)
                .withVerbs(verbs).build();
    }

    /** The constraint kind's CRD, with the status subresource, and the constraint object itself, in the cluster. */
    static void createConstraint(KubernetesClient client, ObjectNode constraint) {
        String kind = constraint.path("kind").asString();
        String plural = kind.toLowerCase(Locale.ROOT);
        if (client.apiextensions().v1().customResourceDefinitions().withName(plural + ".constraints.gatekeeper.sh").get() == null) {
            client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(plural + ".constraints.gatekeeper.sh").endMetadata()
                    .withNewSpec().withGroup("constraints.gatekeeper.sh").withScope("Cluster")
                    .withNewNames().withKind(kind).withPlural(plural).withSingular(plural).withListKind(kind + "List")
                    .endNames()
                    .addNewVersion().withName("v1beta1").withServed(true).withStorage(true)
                    .withNewSubresources().withNewStatus().endStatus().endSubresources()
                    .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                    .endOpenAPIV3Schema().endSchema()
                    .endVersion().endSpec().build()).create();
        }
        GenericKubernetesResource resource = client.getKubernetesSerialization()
                .unmarshal(JSON.writeValueAsString(constraint), GenericKubernetesResource.class);
        client.genericKubernetesResources(ConstraintStatusWriter.constraintContext(kind)).resource(resource).create();
    }

    static JsonNode constraintInCluster(KubernetesClient client, String kind, String name) {
        GenericKubernetesResource found = client.genericKubernetesResources(ConstraintStatusWriter.constraintContext(kind))
                .withName(name).get();
        return client.getKubernetesSerialization().convertValue(found, JsonNode.class);
    }

    static void createNamespace(KubernetesClient client, String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    static void createPod(KubernetesClient client, String namespace, String name, Map<String, String> labels,
            Map<String, String> annotations) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec()
                .build()).create();
    }

    static List<String> names(List<StatusViolation> violations) {
        return violations.stream().map(StatusViolation::name).toList();
    }
}
