package io.portcullis.kube;

import io.portcullis.constraint.Constraint;
import io.portcullis.json.JsonFields;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * The constraint CRDs in the cluster (those Gatekeeper's label marks), watched once for both controllers that care:
 * the constraint controller starts a kind's watch once its CRD is Established, the template controller applies a CRD
 * again that was deleted while its template stays. Each is told the kind of every change and reads the store.
 */
final class ConstraintCrds {
    private final Cluster cluster;
    private final List<Consumer<String>> changed = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> deleted = new CopyOnWriteArrayList<>();
    private volatile Informer informer;

    ConstraintCrds(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Told the kind of each CRD added or changed, and of every CRD once the first list is in. */
    void onChange(Consumer<String> listener) {
        changed.add(listener);
    }

    /** Told the kind of each CRD deleted. */
    void onDelete(Consumer<String> listener) {
        deleted.add(listener);
    }

    void start() {
        informer = Informer.create("constraint CRDs", cluster.client().genericKubernetesResources(CrdInstaller.CRDS)
                .withLabel(ConstraintCrd.LABEL, "yes"), CrdInstaller.CRDS, cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode crd) {
                        tell(changed, crd);
                    }

                    @Override
                    public void delete(ObjectNode crd) {
                        tell(deleted, crd);
                    }
                });
        informer.run(() -> informer.objects().forEach(crd -> tell(changed, crd)));
    }

    void stop() {
        if (informer != null) {
            informer.stop();
        }
    }

    boolean synced() {
        Informer now = informer;
        return now != null && now.synced();
    }

    /** Whether the CRD of the kind is in the store and Established. */
    boolean established(String kind) {
        Informer now = informer;
        ObjectNode crd = now == null ? null : now.get("", ConstraintCrd.name(kind));
        return crd != null && KubeJson.isEstablished(crd);
    }

    private static void tell(List<Consumer<String>> listeners, ObjectNode crd) {
        if (Constraint.GROUP.equals(JsonFields.text(crd.path("spec").path("group")))) {
            String kind = JsonFields.text(crd.path("spec").path("names").path("kind"));
            listeners.forEach(l -> l.accept(kind));
        }
    }
}
