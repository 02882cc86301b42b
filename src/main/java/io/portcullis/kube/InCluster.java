package io.portcullis.kube;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the process runs in a Kubernetes pod with a service account: then the cluster is the policy source. */
public final class InCluster {
    static final Path TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private InCluster() {
    }

    /** $KUBERNETES_SERVICE_HOST is set and the service account token is mounted. */
    public static boolean detected() {
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        return host != null && !host.isBlank() && Files.isReadable(TOKEN);
    }

    /**
     * Whether {@code portcullis serve} should read policies from the cluster: when asked to, or when running in a
     * pod and no policy source was chosen through the environment or a system property.
     */
    public static boolean selectsKubernetes(boolean requested) {
        if (requested) {
            return true;
        }
        boolean chosen = System.getenv("PORTCULLIS_SOURCE") != null || System.getProperty("portcullis.source") != null;
        return !chosen && detected();
    }
}
