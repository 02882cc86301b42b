package io.portcullis.audit;

import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Validator;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit of the objects in a cluster: finds the kinds the constraints can match through API discovery,
 * lists each in pages and reviews every object as it arrives. Writing the results into the constraints is
 * separate ({@link ConstraintStatusWriter}), so a one-shot report can leave the cluster untouched.
 */
public final class ClusterAudit {
    private static final Logger log = LoggerFactory.getLogger(ClusterAudit.class);

    private final KubernetesClient client;
    private final int chunkSize;
    private final int violationsLimit;
    private final Clock clock;
    private volatile AuditRun.ViolationListener violations = AuditRun.ViolationListener.NONE;

    /**
     * @param chunkSize objects per list request (Gatekeeper's --audit-chunk-size, 500)
     * @param violationsLimit status entries kept per constraint (--constraint-violations-limit, 20)
     */
    public ClusterAudit(KubernetesClient client, int chunkSize, int violationsLimit) {
        this(client, chunkSize, violationsLimit, Clock.systemUTC());
    }

    ClusterAudit(KubernetesClient client, int chunkSize, int violationsLimit, Clock clock) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("the chunk size must be positive: " + chunkSize);
        }
        if (violationsLimit < 0) {
            throw new IllegalArgumentException("the violations limit must not be negative: " + violationsLimit);
        }
        this.client = client;
        this.chunkSize = chunkSize;
        this.violationsLimit = violationsLimit;
        this.clock = clock;
    }

    /** Later runs report each violation to the listener too (the audit's Events). */
    public void reportTo(AuditRun.ViolationListener listener) {
        this.violations = listener;
    }

    /**
     * Audits every object some constraint of the validator can match. A kind that cannot be listed is reported
     * in the result's errors and the run goes on with the others.
     *
     * @throws KubernetesClientException when discovery itself fails (no run is possible)
     * @throws java.util.concurrent.CancellationException when the thread is interrupted
     */
    public AuditReport run(Validator validator, GatekeeperConfig config, AuditProgress progress) {
        return run(validator, config, ExpansionSystem.EMPTY, new MutatorSystem(List.of()), progress);
    }

    /** The same, expanding objects with the ExpansionTemplates (and the mutators for Generated objects). */
    public AuditReport run(Validator validator, GatekeeperConfig config, ExpansionSystem expansion,
            MutatorSystem mutators, AuditProgress progress) {
        AuditRun run = new AuditRun(clock.instant(), validator, config,
                new ClusterNamespaces(client, validator.inventory()), violationsLimit).reportTo(violations)
                .expandWith(expansion, mutators);
        ClusterLister lister = new ClusterLister(client, chunkSize);
        List<ListedResource> resources = new ResourceDiscovery(client)
                .resources(KindFilter.of(validator.constraints(), expansion), run::error);
        log.debug("audit {} lists {}", run.auditId(), resources);
        for (ListedResource resource : resources) {
            progress.update(resource.toString(), run.reviewed(), run.violations());
            try {
                lister.forEach(resource, object -> {
                    run.review(object);
                    if (run.reviewed() % 100 == 0) {
                        progress.update(resource.toString(), run.reviewed(), run.violations());
                    }
                });
            } catch (KubernetesClientException e) {
                // An expired continue token (410) or a kind the service account may not list: the rest still counts.
                run.error("listing " + resource + " failed: " + e.getMessage());
            }
        }
        progress.update("", run.reviewed(), run.violations());
        return run.finish(clock.instant());
    }
}
