package io.portcullis.kube;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.expansion.ExpansionTemplate;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's ExpansionTemplates from the cluster (cluster-scoped, read at the version the installed CRD stores):
 * any change rebuilds the {@link ExpansionSystem}, once per burst of events. A template Gatekeeper would refuse is
 * left out and reported as a problem. Each template gets this replica's {@code status.byPod} entry, with
 * Gatekeeper's error when it was refused; only entries that changed are written. Without the CRD nothing is
 * expanded, and that is reported too.
 */
final class ExpansionController {
    private static final CrdKind KIND = new CrdKind(ExpansionTemplate.KIND,
            ExpansionTemplate.GROUP, "expansiontemplate", false, List.of("v1beta1", "v1alpha1"));

    private final Cluster cluster;
    private final CrdInstaller crds;
    private final WorkQueue queue;
    private final OwnEntries entries;
    private volatile Informer informer;
    private volatile ExpansionSystem system = ExpansionSystem.EMPTY;
    /** Whether a rebuild has read the informer's complete first list. */
    private volatile boolean builtFromFullList;

    ExpansionController(Cluster cluster, CrdInstaller crds, WorkQueue queue) {
        this.cluster = cluster;
        this.crds = crds;
        this.queue = queue;
        this.entries = new OwnEntries(cluster);
    }

    void start() {
        Optional<ResourceDefinitionContext> served = KIND.context(crds, problem -> cluster.problems().set("expansion", problem));
        if (served.isEmpty()) {
            return;
        }
        ResourceDefinitionContext context = served.get();
        informer = Informer.start("ExpansionTemplates", cluster.client().genericKubernetesResources(context), context,
                cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode object) {
                        queueRebuild();
                    }

                    @Override
                    public void delete(ObjectNode object) {
                        queueRebuild();
                    }
                }, this::queueRebuild);
    }

    void stop() {
        if (informer != null) {
            informer.stop();
        }
    }

    ExpansionSystem system() {
        return system;
    }

    boolean initialLoadDone() {
        return informer == null || builtFromFullList;
    }

    private void queueRebuild() {
        queue.submit("expansion", "rebuild expansion templates", this::rebuild);
    }

    private void rebuild() {
        boolean fullList = informer.synced();
        cluster.problems().clear("expansion template ");
        List<ExpansionTemplate> templates = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (ObjectNode object : informer.objects()) {
            List<ObjectNode> errors = List.of();
            try {
                templates.add(ExpansionTemplate.parse(object));
            } catch (ExpansionTemplate.InvalidExpansionTemplateException e) {
                cluster.problems().set("expansion template " + JsonFields.name(object), e.getMessage());
                errors = List.of(ByPod.typedError(null, e.getMessage()));
            }
            present.add(OwnEntries.key(informer.context(), object));
            entries.write(informer.context(), object, ByPod.expansionTemplateEntry(cluster.identity(), object, errors));
        }
        entries.retainOnly(present);
        system = new ExpansionSystem(templates);
        builtFromFullList |= fullList;
    }
}
