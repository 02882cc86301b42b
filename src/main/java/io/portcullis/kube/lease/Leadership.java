package io.portcullis.kube.lease;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in the election for the Lease: fabric8's LeaderElector, joined again after every term (an
 * elector runs once), so a replica that lost the Lease competes for it again. One instance per process, shared by
 * everything that only one replica may do: the audit and workload tracking follow the same holder, so RBAC names
 * one Lease. A clean close releases the Lease, so another replica takes over at once instead of after the lease
 * duration.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    /** Told when this replica starts and stops leading, on the elector's thread. */
    public interface Listener {
        void startedLeading();

        void stoppedLeading();
    }

    private final KubernetesClient client;
    private final String namespace;
    private final LeaseProperties lease;
    private final String identity;
    private final List<Listener> listeners = new ArrayList<>(); // guarded by itself
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-lease");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean leader;
    /** Guarded by this. */
    private boolean started;
    /** Guarded by this. */
    private boolean closed;
    /** Guarded by this. */
    private CompletableFuture<?> term;

    /**
     * @param namespace where the Lease lives (portcullis.namespace)
     * @param identity  this replica's name in the Lease; unique per process (see {@link #identity(String)})
     */
    public Leadership(KubernetesClient client, String namespace, LeaseProperties lease, String identity) {
        this.client = client;
        this.namespace = namespace;
        this.lease = lease;
        this.identity = identity;
    }

    /** The replica's name plus a random suffix, as client-go's leader election names holders. */
    public static String identity(String replica) {
        return replica + "_" + UUID.randomUUID();
    }

    /**
     * Tells the listener of every change from now on, and at once if this replica leads. Registration and
     * notification share a lock, so a listener added while leadership changes hears each change exactly once.
     */
    public void addListener(Listener listener) {
        synchronized (listeners) {
            listeners.add(listener);
            if (leader) {
                listener.startedLeading();
            }
        }
    }

    /** Joins the election; returns at once. Calling it again does nothing. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        log.info("competing for Lease {}/{} as {}", namespace, lease.leaseName(), identity);
        elect();
    }

    public boolean isLeader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    public String leaseName() {
        return lease.leaseName();
    }

    /** Leaves the election, releasing the Lease if held. */
    @Override
    public void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            closed = true;
            current = term;
        }
        if (current != null) {
            current.cancel(true);
        }
        stoppedLeading();
        scheduler.shutdownNow();
    }

    private synchronized void elect() {
        if (closed) {
            return;
        }
        LeaderElectionConfig config = new LeaderElectionConfigBuilder()
                .withName(lease.leaseName())
                .withLock(new LeaseLock(namespace, lease.leaseName(), identity))
                .withLeaseDuration(lease.leaseDuration())
                .withRenewDeadline(lease.renewDeadline())
                .withRetryPeriod(lease.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                        holder -> log.info("Lease {} is held by {}", lease.leaseName(), holder)))
                .build();
        CompletableFuture<?> next = client.leaderElector().withConfig(config).build().start();
        term = next;
        next.whenComplete((result, error) -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            if (error != null && !(error instanceof CancellationException)) {
                log.warn("leader election failed, trying again: {}", error.toString());
            }
            try {
                scheduler.schedule(this::elect, lease.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        });
    }

    private void startedLeading() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        log.info("{} leads (Lease {})", identity, lease.leaseName());
        synchronized (listeners) {
            leader = true;
            listeners.forEach(Listener::startedLeading);
        }
    }

    private void stoppedLeading() {
        if (!leader) {
            return;
        }
        log.info("{} stopped leading (Lease {})", identity, lease.leaseName());
        synchronized (listeners) {
            leader = false;
            listeners.forEach(Listener::stoppedLeading);
        }
    }
}
