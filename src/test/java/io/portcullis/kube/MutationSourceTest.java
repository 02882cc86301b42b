package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.admission.AdmissionLimits;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.AdmissionReviewReader;
import io.portcullis.mutation.AdmissionMutator;
import io.portcullis.mutation.profiles.SpoResources;
import io.portcullis.webhook.MutationHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPO profiles and bindings and Gatekeeper mutators from the cluster reach /v1/mutate's configuration. */
@EnableKubernetesMockClient(crud = true)
class MutationSourceTest {
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", "."));
    private static final ResourceDefinitionContext SECCOMP = KubeJson.context(SpoResources.GROUP, "v1", "SeccompProfile",
            "seccompprofiles", false);
    private static final ResourceDefinitionContext BINDINGS = KubeJson.context(SpoResources.GROUP, "v1", "ProfileBinding",
            "profilebindings", true);
    private static final ResourceDefinitionContext ASSIGN = KubeJson.context("mutations.gatekeeper.sh", "v1", "Assign",
            "assign", false);

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private MockCluster.Replica replica;

    @BeforeEach
    void cluster() {
        establisher = MockCluster.establishCrds(client);
        client.namespaces().resource(client.getKubernetesSerialization().unmarshal("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: demo
                  labels:
                    spo.x-k8s.io/enable-binding: "true"
                """, io.fabric8.kubernetes.api.model.Namespace.class)).create();
        replica = MockCluster.replica(client, "portcullis-0");
        replica.source().start();
        await("ready", replica.readiness()::isReady);
    }

    @AfterEach
    void stop() {
        replica.close();
        establisher.stop();
    }

    private AdmissionResponse mutate() throws Exception {
        byte[] review = Files.readAllBytes(PROJECT.resolve("examples/requests/pod-without-seccomp.json"));
        AdmissionRequest request = new AdmissionReviewReader(AdmissionLimits.DEFAULT).read(review).request();
        return new MutationHandler(replica.active(), new AdmissionMutator(), replica.properties()).handle(request);
    }

    @Test
    void profileBindingsFromTheClusterBindProfiles() throws Exception {
        assertThat(mutate().patch()).as("no binding yet").isNullOrEmpty();

        create(client, SECCOMP, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata:
                  name: nginx-1.27
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                """);
        MockCluster.setStatus(client, SECCOMP, null, "nginx-1.27", """
                {"status": "Installed", "localhostProfile": "operator/nginx-1.27.json",
                 "conditions": [{"type": "Ready", "status": "True", "reason": "Available"}]}""");
        create(client, BINDINGS, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata:
                  name: nginx-seccomp
                  namespace: demo
                spec:
                  profileRef:
                    kind: SeccompProfile
                    name: nginx-1.27
                  image: nginx:1.27
                """);

        await("binding in the mutation config", () -> replica.active().current().mutation().bindings().size() == 1);
        await("profile installed", () -> replica.active().current().mutation().profiles()
                .find("SeccompProfile", "nginx-1.27").map(p -> p.toString().contains("Installed")).orElse(false));
        AdmissionResponse response = mutate();
        assertThat(response.allowed()).isTrue();
        assertThat(response.patch().toString()).contains("operator/nginx-1.27.json").contains("Localhost");

        client.genericKubernetesResources(BINDINGS).inNamespace("demo").withName("nginx-seccomp").delete();
        await("binding removed", () -> replica.active().current().mutation().bindings().isEmpty());
        assertThat(mutate().patch()).isNullOrEmpty();
    }

    @Test
    void gatekeeperMutatorsFromTheClusterMutate() throws Exception {
        create(client, ASSIGN, """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: always-pull
                spec:
                  applyTo:
                    - groups: [""]
                      kinds: [Pod]
                      versions: [v1]
                  match:
                    scope: Namespaced
                    kinds:
                      - apiGroups: ["*"]
                        kinds: [Pod]
                  location: "spec.containers[name:*].imagePullPolicy"
                  parameters:
                    assign:
                      value: Always
                """);

        await("mutator in the mutation config", () -> replica.active().current().mutation().mutators().mutators().size() == 1);
        assertThat(mutate().patch().toString()).contains("imagePullPolicy").contains("Always");
    }
}
