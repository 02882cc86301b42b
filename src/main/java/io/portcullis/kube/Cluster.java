package io.portcullis.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What every controller of the cluster source shares: the client, the JSON bridge, the status writer, who this replica is, the live pods of our namespace (for dropping dead replicas' status entries), and the
 * list of problems.
 */
record Cluster(KubernetesClient client, KubeJson json, ServerSideApply apply, StatusWriter status,
        ByPod.Identity identity, Supplier<Set<String>> livePods, Problems problems) {
}
