package io.portcullis.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.portcullis.admission.AdmissionLimits;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionReviewReader;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PortcullisProperties;
import io.portcullis.policy.Readiness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the tests need around fabric8's CRUD mock server, which stores objects but runs no controllers: the
 * apiextensions controller's part (CRDs become Established), objects from YAML, and a Portcullis replica reading
 * the mock.
 */
final class MockCluster {
    static final String NAMESPACE = "portcullis-system";
    static final PolicyEngine ENGINE = new PolicyEngine(EngineConfig.defaults());
    static final TemplateCompiler COMPILER = new TemplateCompiler(ENGINE);

    private MockCluster() {
    }

    /** One Portcullis replica: its source, what it publishes, its readiness. */
    record Replica(KubernetesPolicySource source, ActivePolicies active, Readiness readiness, PortcullisProperties properties)
            implements AutoCloseable {
        @Override
        public void close() {
            source.close();
        }
    }

    /** A replica with this pod name, not yet started; CRDs are installed from the ones packed on the class path. */
    static Replica replica(KubernetesClient client, String pod) {
        return replica(client, pod, null);
    }

    /** The same, putting the cluster's external data Providers into {@code providers} (null: its own). */
    static Replica replica(KubernetesClient client, String pod, io.portcullis.externaldata.Providers providers) {
        ActivePolicies active = new ActivePolicies(COMPILER);
        Readiness readiness = new Readiness(event -> { });
        PortcullisProperties properties = new PortcullisProperties(Path.of("unused"), List.of(), List.of(), List.of(),
                List.of(), NAMESPACE, List.of(), List.of(), true);
        KubernetesProperties kube = new KubernetesProperties(null, true, null, Duration.ofSeconds(30), pod,
                List.of("mutation-webhook", "webhook"), true, true);
        KubernetesPolicySource source = providers == null
                ? new KubernetesPolicySource(client, kube, properties, COMPILER, active, readiness)
                : new KubernetesPolicySource(client, kube, properties, COMPILER, active, readiness,
                        new io.portcullis.policy.EngineProperties(io.portcullis.engine.CompilerMode.NATIVE, null, null,
                                Duration.ofSeconds(2), org.springframework.util.unit.DataSize.ofMegabytes(256), 0,
                                io.portcullis.engine.ExecutionMode.COMPILED, Duration.ZERO), providers);
        return new Replica(source, active,
                readiness, properties);
    }

    /** Plays the apiextensions controller: every CRD is accepted and Established as soon as it is written. */
    static SharedIndexInformer<CustomResourceDefinition> establishCrds(KubernetesClient client) {
        return client.apiextensions().v1().customResourceDefinitions().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CustomResourceDefinition crd) {
                establish(client, crd);
            }

            @Override
            public void onUpdate(CustomResourceDefinition oldCrd, CustomResourceDefinition crd) {
                establish(client, crd);
            }

            @Override
            public void onDelete(CustomResourceDefinition crd, boolean unknown) {
            }
        });
    }

    private static void establish(KubernetesClient client, CustomResourceDefinition crd) {
        boolean established = crd.getStatus() != null && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
        if (established) {
            return;
        }
        crd.setStatus(new CustomResourceDefinitionStatusBuilder()
                .withAcceptedNames(crd.getSpec().getNames())
                .addNewCondition().withType("NamesAccepted").withStatus("True").endCondition()
                .addNewCondition().withType("Established").withStatus("True").endCondition()
                .build());
        try {
            client.resource(crd).status().replace();
        } catch (KubernetesClientException e) {
            // deleted or changed meanwhile: the next event establishes it
        }
    }

    static ObjectNode yaml(String text) {
        try {
            List<ObjectNode> objects = Manifests.readObjects(text, "test");
            assertThat(objects).hasSize(1);
            return objects.getFirst();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectNode create(KubernetesClient client, ResourceDefinitionContext context, String yaml) {
        ObjectNode object = yaml(yaml);
        KubeJson json = new KubeJson(client);
        var operation = client.genericKubernetesResources(context);
        GenericKubernetesResource resource = json.resource(object);
        String ns = JsonFields.namespace(object);
        GenericKubernetesResource created = ns.isEmpty() ? operation.resource(resource).create()
                : operation.inNamespace(ns).resource(resource).create();
        return json.tree(created, context);
    }

    /** Sets an object's status (the API server ignores status on create), as SPO's operator does for profiles. */
    static void setStatus(KubernetesClient client, ResourceDefinitionContext context, String namespace, String name,
            String statusJson) {
        var operation = client.genericKubernetesResources(context);
        var resource = namespace == null ? operation.withName(name) : operation.inNamespace(namespace).withName(name);
        resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + statusJson + "}");
    }

    static ObjectNode get(KubernetesClient client, ResourceDefinitionContext context, String name) {
        GenericKubernetesResource found = client.genericKubernetesResources(context).withName(name).get();
        return found == null ? null : new KubeJson(client).tree(found, context);
    }

    /** Polls until the condition holds; fails with the description after a generous limit. */
    static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for: " + what).isBefore(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** An admission request creating this Pod (YAML) as alice. */
    static AdmissionRequest createPod(String podYaml) {
        ObjectNode pod = yaml(podYaml);
        ObjectNode review = KubeJson.JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "0b7e5c1a-6f3d-4e8a-b9c2-0d1e2f3a4b01");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("name", JsonFields.name(pod)).put("namespace", JsonFields.namespace(pod)).put("operation", "CREATE");
        request.putObject("userInfo").put("username", "alice@example.com");
        request.set("object", pod);
        return new AdmissionReviewReader(AdmissionLimits.DEFAULT)
                .read(KubeJson.JSON.writeValueAsString(review).getBytes(StandardCharsets.UTF_8)).request();
    }

    static JsonNode byPod(JsonNode object, String pod) {
        for (JsonNode entry : object.path("status").path("byPod")) {
            if (pod.equals(entry.path("id").asString())) {
                return entry;
            }
        }
        return null;
    }
}
