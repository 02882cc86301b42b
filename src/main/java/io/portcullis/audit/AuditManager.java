package io.portcullis.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.portcullis.policy.PolicySnapshot;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits the cluster every {@code interval} on one replica at a time. The replicas compete for a Lease
 * ({@code portcullis-audit} in the server's namespace) through fabric8's LeaderElector; the holder audits,
 * writes the constraints' status and reports the metrics, the others wait. When the holder stops (or cannot
 * renew) its running audit is cancelled and another replica takes the Lease over; with release on close a
 * clean shutdown hands over at once instead of after the lease duration.
 *
 * <p>As Gatekeeper's ticker, the first run comes one interval after this replica became the leader. Runs are
 * skipped until the policies are loaded, so an empty policy set never writes zero violations over real ones.
 */
public final class AuditManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditManager.class);

    private final KubernetesClient client;
    private final Supplier<PolicySnapshot> policies;
    private final BooleanSupplier policiesLoaded;
    private final AuditProperties properties;
    private final String namespace;
    private final String identity;
    private final AuditMetrics metrics;
    private final ClusterAudit audit;
    private final ConstraintStatusWriter statusWriter;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-audit");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong completedRuns = new AtomicLong();
    private volatile boolean leader;
    private volatile boolean closed;
    private volatile AuditReport lastReport;
    /** Guarded by this. */
    private CompletableFuture<?> election;
    /** Guarded by this: the periodic audit while this replica leads. */
    private ScheduledFuture<?> runs;

    /**
     * @param policies the policies in force at the time of each run (ActivePolicies::current)
     * @param policiesLoaded whether the policies have been loaded from the cluster yet
     * @param namespace where the Lease lives (portcullis.namespace)
     * @param identity this replica's name in the Lease; unique per process
     */
    public AuditManager(KubernetesClient client, Supplier<PolicySnapshot> policies, BooleanSupplier policiesLoaded,
            AuditProperties properties, String namespace, String identity, AuditMetrics metrics) {
        this.client = client;
        this.policies = policies;
        this.policiesLoaded = policiesLoaded;
        this.properties = properties;
        this.namespace = namespace;
        this.identity = identity;
        this.metrics = metrics;
        this.audit = new ClusterAudit(client, properties.chunkSize(), properties.violationsLimit());
        this.statusWriter = new ConstraintStatusWriter(client);
    }

    /** Audits from now on also report each violation to the listener (Gatekeeper's --emit-audit-events). */
    public void reportViolationsTo(AuditRun.ViolationListener listener) {
        audit.reportTo(listener);
    }

    /** Joins the election for the Lease; returns at once. An interval of 0 disables the audit. */
    public void start() {
        if (properties.interval().isZero()) {
            log.info("audit disabled: portcullis.audit.interval is 0");
            return;
        }
        log.info("audit: competing for Lease {}/{} as {}, every {} s once leading", namespace, properties.leaseName(),
                identity, properties.interval().toSeconds());
        elect();
    }

    public boolean isLeader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    /** Audit runs this replica has completed. */
    public long completedRuns() {
        return completedRuns.get();
    }

    public Optional<AuditReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** Leaves the election, releasing the Lease if held, and cancels a running audit. */
    @Override
    public void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            closed = true;
            current = election;
        }
        if (current != null) {
            current.cancel(true);
        }
        stoppedLeading();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One elector per term: fabric8's LeaderElector runs once, so after losing the Lease a new one competes. */
    private synchronized void elect() {
        if (closed) {
            return;
        }
        LeaderElectionConfig config = new LeaderElectionConfigBuilder()
                .withName(properties.leaseName())
                .withLock(new LeaseLock(namespace, properties.leaseName(), identity))
                .withLeaseDuration(properties.leaseDuration())
                .withRenewDeadline(properties.renewDeadline())
                .withRetryPeriod(properties.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                        holder -> log.info("audit: Lease {} is held by {}", properties.leaseName(), holder)))
                .build();
        CompletableFuture<?> term = client.leaderElector().withConfig(config).build().start();
        election = term;
        term.whenComplete((result, error) -> {
            if (closed) {
                return;
            }
            if (error != null && !(error instanceof CancellationException)) {
                log.warn("audit: leader election failed, trying again: {}", error.toString());
            }
            try {
                scheduler.schedule(this::elect, properties.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        });
    }

    private synchronized void startedLeading() {
        if (closed) {
            return;
        }
        log.info("audit: {} leads, auditing every {} s", identity, properties.interval().toSeconds());
        leader = true;
        long every = properties.interval().toMillis();
        runs = scheduler.scheduleAtFixedRate(this::auditOnce, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized void stoppedLeading() {
        if (leader) {
            log.info("audit: {} stopped leading", identity);
        }
        leader = false;
        if (runs != null) {
            runs.cancel(true);
            runs = null;
        }
    }

    /** One run: audit, write the statuses (if still leading), report. Failures are logged; the next tick retries. */
    void auditOnce() {
        if (!leader) {
            return;
        }
        if (!policiesLoaded.getAsBoolean()) {
            log.info("audit: waiting for the policies to load");
            return;
        }
        PolicySnapshot snapshot = policies.get();
        metrics.runStarted(Instant.now());
        try {
            AuditReport report = audit.run(snapshot.validator(), snapshot.config(), snapshot.expansion(),
                    snapshot.mutation().mutators(), AuditProgress.NONE);
            if (leader) {
                statusWriter.write(report);
            }
            metrics.runFinished(report);
            lastReport = report;
            completedRuns.incrementAndGet();
        } catch (CancellationException e) {
            log.info("audit: run cancelled");
        } catch (RuntimeException e) {
            log.error("audit: run failed", e);
        }
    }
}
