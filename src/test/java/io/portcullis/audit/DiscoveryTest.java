package io.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.Validator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient
class DiscoveryTest {
    KubernetesClient client;
    KubernetesMockServer server;

    private List<Constraint> constraints(String... matches) throws Exception {
        Validator validator = AuditFixtures.validator();
        int i = 0;
        for (String match : matches) {
            validator.addConstraint(AuditFixtures.json("{'apiVersion':'constraints.gatekeeper.sh/v1beta1',"
                    + "'kind':'K8sRequiredOwner','metadata':{'name':'c" + i++ + "'},'spec':{" + match + "}}"));
        }
        return validator.constraints();
    }

    private List<String> discovered(List<Constraint> constraints, List<String> errors) {
        return new ResourceDiscovery(client).resources(KindFilter.of(constraints), errors::add).stream()
                .map(ListedResource::toString).toList();
    }

    @Test
    void aConstraintWithoutKindsListsEveryListableKindButNoSubresources() throws Exception {
        AuditFixtures.serveDiscovery(server);
        List<String> errors = new ArrayList<>();
        assertThat(discovered(constraints("'match':{'kinds':[{'apiGroups':[''],'kinds':['Pod']}]}", ""), errors))
                .containsExactly("pods", "namespaces", "deployments.apps");
        assertThat(errors).isEmpty();
    }

    @Test
    void wildcardKindsInAGroupListThatGroupOnly() throws Exception {
        AuditFixtures.serveDiscovery(server);
        assertThat(discovered(constraints("'match':{'kinds':[{'apiGroups':['apps'],'kinds':['*']}]}"), new ArrayList<>()))
                .containsExactly("deployments.apps");
        assertThat(discovered(constraints("'match':{'kinds':[{'apiGroups':['*'],'kinds':['Namespace','Deployment']}]}"),
                new ArrayList<>())).containsExactly("namespaces", "deployments.apps");
    }

    @Test
    void noConstraintsNothingToList() throws Exception {
        assertThat(discovered(constraints(), new ArrayList<>())).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aGroupWhoseDiscoveryFailsIsReportedAndSkipped() throws Exception {
        server.expect().get().withPath("/api/v1").andReturn(200, new APIResourceListBuilder().withGroupVersion("v1")
                .withResources(AuditFixtures.resource("pods", "Pod", true, "list")).build()).always();
        server.expect().get().withPath("/apis").andReturn(200, new APIGroupListBuilder().withGroups(
                new APIGroupBuilder().withName("metrics.example.com").withNewPreferredVersion()
                        .withGroupVersion("metrics.example.com/v1").withVersion("v1").endPreferredVersion().build(),
                new APIGroupBuilder().withName("apps").withNewPreferredVersion()
                        .withGroupVersion("apps/v1").withVersion("v1").endPreferredVersion().build()).build()).always();
        server.expect().get().withPath("/apis/metrics.example.com/v1").andReturn(503, "unavailable").always();
        server.expect().get().withPath("/apis/apps/v1").andReturn(200, new APIResourceListBuilder().withGroupVersion("apps/v1")
                .withResources(AuditFixtures.resource("deployments", "Deployment", true, "list")).build()).always();
        List<String> errors = new ArrayList<>();
        // fabric8 retries a 503 with backoff; once is enough here.
        try (KubernetesClient noRetries = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
            List<String> found = new ResourceDiscovery(noRetries).resources(KindFilter.of(constraints("")), errors::add)
                    .stream().map(ListedResource::toString).toList();
            assertThat(found).containsExactly("pods", "deployments.apps");
        }
        assertThat(errors).singleElement().asString().contains("metrics.example.com/v1");
    }
}
