package io.portcullis.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.kube.lease.Leadership;
import io.portcullis.policy.PolicySnapshot;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
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
 * Audits the cluster every {@code interval} on one replica at a time: the holder of the Lease ({@link Leadership},
 * {@code portcullis-audit} in the server's namespace) audits, writes the constraints' status and reports the
 * metrics, the others wait. When the holder stops (or cannot renew) its running audit is cancelled and another
 * replica takes the Lease over.
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
    private final Leadership leadership;
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
    /** Guarded by this: the periodic audit while this replica leads. */
    private ScheduledFuture<?> runs;

    /**
     * @param policies the policies in force at the time of each run (ActivePolicies::current)
     * @param policiesLoaded whether the policies have been loaded from the cluster yet
     * @param leadership the election this replica takes part in; the audit runs while it leads
     */
    public AuditManager(KubernetesClient client, Supplier<PolicySnapshot> policies, BooleanSupplier policiesLoaded,
            AuditProperties properties, Leadership leadership, AuditMetrics metrics) {
        this.client = client;
        this.policies = policies;
        this.policiesLoaded = policiesLoaded;
        this.properties = properties;
        this.leadership = leadership;
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
        log.info("audit: every {} s while leading (Lease {})", properties.interval().toSeconds(),
                leadership.leaseName());
        leadership.addListener(new Leadership.Listener() {
            @Override
            public void startedLeading() {
                AuditManager.this.startedLeading();
            }

            @Override
            public void stoppedLeading() {
                AuditManager.this.stoppedLeading();
            }
        });
        leadership.start();
    }

    public boolean isLeader() {
        return leader;
    }

    public String identity() {
        return leadership.identity();
    }

    /** Audit runs this replica has completed. */
    public long completedRuns() {
        return completedRuns.get();
    }

    public Optional<AuditReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** Stops auditing and cancels a running audit; the election is the {@link Leadership}'s to leave. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        stoppedLeading();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void startedLeading() {
        if (closed) {
            return;
        }
        log.info("audit: {} leads, auditing every {} s", leadership.identity(), properties.interval().toSeconds());
        leader = true;
        long every = properties.interval().toMillis();
        runs = scheduler.scheduleAtFixedRate(this::auditOnce, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized void stoppedLeading() {
        if (leader) {
            log.info("audit: {} stopped leading", leadership.identity());
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
