package io.portcullis.kube;

import io.portcullis.kube.write.Retry;
import io.portcullis.expansion.ExpansionSystem;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.Validator;
import io.portcullis.policy.EngineProperties;
import org.springframework.beans.factory.annotation.Autowired;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PolicySnapshot;
import io.portcullis.policy.PortcullisProperties;
import io.portcullis.policy.Readiness;
import io.portcullis.externaldata.ClientCertificate;
import io.portcullis.externaldata.Providers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cluster mode ({@code portcullis.source=kubernetes}): policies come from the API server, as Gatekeeper's and SPO's
 * controllers read them. At start the CRDs are installed (or checked); then informers feed one long-lived
 * {@link Validator} (templates, constraints, inventory) and the mutation configuration, and each change publishes a
 * new {@link PolicySnapshot}. The server turns ready once everything that existed at start is loaded: every
 * template compiled or refused, every constraint of the loaded templates handled, the synced kinds listed. Every
 * replica does the same work and so enforces the same set.
 *
 * <p>Each controller has a {@link WorkQueue} of its own, so a template that takes seconds to compile holds up
 * neither constraints of other kinds, nor the inventory, nor mutators and profile bindings. After every piece of
 * work of any queue the snapshot is published again (one at a time, so each is built from one view).
 */
@Component
@ConditionalOnProperty(name = "portcullis.source", havingValue = "kubernetes")
public class KubernetesPolicySource implements DisposableBean, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubernetesPolicySource.class);
    private static final Duration PENDING_LOG = Duration.ofSeconds(30);
    private static final ResourceDefinitionContext PODS = KubeJson.context("", "v1", "Pod", "pods", true);

    private final KubernetesProperties properties;
    private final Duration warmUp;
    private final ActivePolicies active;
    private final Readiness readiness;
    private final String namespace;
    private final KubeJson json;
    /** The start (CRD installation, informers) and the log of what is still pending. */
    private final WorkQueue lifecycle = new WorkQueue("portcullis-kube", 1, Retry.CONTROLLER);
    private final WorkQueue templateQueue = new WorkQueue("portcullis-templates", 2, Retry.CONTROLLER);
    private final WorkQueue constraintQueue = new WorkQueue("portcullis-constraints", 2, Retry.CONTROLLER);
    private final WorkQueue inventoryQueue = new WorkQueue("portcullis-inventory", 1, Retry.CONTROLLER);
    private final WorkQueue mutationQueue = new WorkQueue("portcullis-mutation", 1, Retry.CONTROLLER);
    private final WorkQueue expansionQueue = new WorkQueue("portcullis-expansion", 1, Retry.CONTROLLER);
    private final WorkQueue providerQueue = new WorkQueue("portcullis-providers", 1, Retry.CONTROLLER);
    private final List<WorkQueue> queues = List.of(lifecycle, templateQueue, constraintQueue, inventoryQueue,
            mutationQueue, expansionQueue, providerQueue);
    private final StatusWriter status;
    private final Cluster cluster;
    private final CrdInstaller crds;
    private final Validator validator;
    private final ConstraintCrds constraintCrds;
    private final ConstraintController constraints;
    private final TemplateController templates;
    private final InventoryController inventory;
    private final MutationController mutation;
    private final ExpansionController expansion;
    private final ProviderController providers;
    private final Problems problems = new Problems();
    private volatile Informer pods;
    private volatile boolean started;
    private volatile boolean ready;
    private final AtomicBoolean closed = new AtomicBoolean();
    private PolicySnapshot published;
    private long publishedProblems = -1;

    public KubernetesPolicySource(KubernetesClient client, KubernetesProperties properties,
            PortcullisProperties portcullis, TemplateCompiler compiler, ActivePolicies active, Readiness readiness) {
        this(client, properties, portcullis, compiler, active, readiness, Duration.ZERO,
                new Providers(ClientCertificate.none()));
    }

    /**
     * @param warmUp how long the constraints run against a synthetic Pod before the first Ready
     * @param providers where the cluster's external data Providers go (external_data reads them)
     */
    @Autowired
    public KubernetesPolicySource(KubernetesClient client, KubernetesProperties properties,
            PortcullisProperties portcullis, TemplateCompiler compiler, ActivePolicies active, Readiness readiness,
            EngineProperties engine, Providers providers) {
        this(client, properties, portcullis, compiler, active, readiness, engine.warmUp(), providers);
    }

    private KubernetesPolicySource(KubernetesClient client, KubernetesProperties properties,
            PortcullisProperties portcullis, TemplateCompiler compiler, ActivePolicies active, Readiness readiness,
            Duration warmUp, Providers providers) {
        this.warmUp = warmUp;
        this.properties = properties;
        this.active = active;
        this.readiness = readiness;
        this.namespace = portcullis.namespace();
        this.json = new KubeJson(client);
        this.status = new StatusWriter(client);
        ServerSideApply apply = new ServerSideApply(client, json);
        this.cluster = new Cluster(client, json, apply, status,
                new ByPod.Identity(properties.replicaId(), properties.operations()), this::livePods, problems);
        this.crds = new CrdInstaller(client, json, apply);
        this.validator = new Validator(compiler);
        VapGenerator vap = new VapGenerator(cluster, properties.defaultCreateVapForTemplates(),
                properties.defaultCreateVapBindingForConstraints());
        this.constraintCrds = new ConstraintCrds(cluster);
        this.constraints = new ConstraintController(cluster, validator, vap, constraintCrds, constraintQueue);
        this.templates = new TemplateController(cluster, validator, constraints, vap, constraintCrds, templateQueue);
        this.inventory = new InventoryController(cluster, validator, namespace, inventoryQueue);
        this.mutation = new MutationController(cluster, crds, mutationQueue);
        this.expansion = new ExpansionController(cluster, crds, expansionQueue);
        this.providers = new ProviderController(cluster, crds, providers, Clock.systemUTC(), providerQueue);
        queues.forEach(q -> q.afterEach(this::afterEach));
    }

    /** Starts once the server is up, so that health probes answer while the CRDs are installed and policies load. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        lifecycle.submit("start", "start", () -> {
            log.info("reading policies from the cluster (namespace {}, replica {})", namespace, properties.replicaId());
            // CRDs that are not served yet are logged; their informers retry until they are.
            crds.installAll(CrdInstaller.manifests(properties.crds()), properties.installCrds(),
                    properties.crdEstablishedTimeout());
            var podOperation = cluster.client().genericKubernetesResources(PODS).inNamespace(namespace);
            pods = Informer.start("Pods in " + namespace, podOperation, PODS, json, new Informer.Listener() {
                @Override
                public void upsert(ObjectNode object) {
                }

                @Override
                public void delete(ObjectNode object) {
                }
            }, () -> { });
            constraintCrds.start();
            templates.start();
            inventory.start();
            mutation.start();
            expansion.start();
            providers.start();
            started = true;
            lifecycle.submitAfter("log pending", PENDING_LOG, "log pending", this::logPending);
        });
    }

    /** The validator the snapshots carry: one instance, updated in place. */
    public Validator validator() {
        return validator;
    }

    public boolean isReady() {
        return ready;
    }

    /** Waits until the queues have handled everything queued and the status writes are sent (tests). */
    void settle() {
        for (int round = 0; round < 2; round++) {
            // Work of one queue submits to others (a template to its constraints): twice round covers that.
            queues.forEach(q -> q.awaitIdle(Duration.ofMinutes(5)));
            status.flush();
        }
    }

    Set<Gvk> syncedKinds() {
        return inventory.syncedKinds();
    }

    /** Names of the pods in our namespace, or null when unknown (not listed yet, or our own pod is not among them). */
    private Set<String> livePods() {
        Informer informer = pods;
        if (informer == null || !informer.synced()) {
            return null;
        }
        Set<String> names = Set.copyOf(informer.names());
        return names.contains(properties.replicaId()) ? names : null;
    }

    private synchronized void afterEach() {
        GatekeeperConfig config = inventory.config();
        MutationConfig mutationConfig = mutation.config();
        ExpansionSystem expansions = expansion.system();
        if (published == null || published.config() != config || published.mutation() != mutationConfig
                || published.expansion() != expansions || publishedProblems != problems.version()) {
            published = new PolicySnapshot(validator, config, mutationConfig, problems.list(), expansions);
            publishedProblems = problems.version();
            if (ready) {
                active.publish(published);
            } else {
                active.publishPartial(published);
            }
        }
        if (!ready && started && templates.initialLoadDone() && constraints.initialLoadDone(templates.initialKinds())
                && inventory.initialLoadDone() && mutation.initialLoadDone() && expansion.initialLoadDone()
                && providers.initialLoadDone()) {
            ready = true;
            // Group the templates and warm them up before traffic arrives; later template changes regroup in the
            // background, while each changed template is evaluated by its own module meanwhile.
            validator.prepare(warmUp);
            // Admission requests are refused (HTTP 503) until here: a partial set would allow what it misses.
            active.publish(published);
            log.info("policies loaded from the cluster: {} templates, {} constraints, {} synced kinds, {} mutators, "
                    + "{} profile bindings, {} problems", validator.templates().size(), validator.constraints().size(),
                    inventory.syncedKinds().size(), mutationConfig.mutators().mutators().size(),
                    mutationConfig.bindings().size(), published.problems().size());
            published.problems().forEach(p -> log.warn("not loaded: {}", p));
            readiness.markReady();
        } else if (ready && !validator.isPrepared()) {
            validator.prepareInBackground();
        }
    }

    private void logPending() {
        if (ready) {
            return;
        }
        List<String> pending = new ArrayList<>();
        if (!templates.initialLoadDone()) {
            pending.add("ConstraintTemplates");
        }
        if (!constraints.initialLoadDone(templates.initialKinds())) {
            pending.add("constraints of " + templates.initialKinds());
        }
        if (!inventory.initialLoadDone()) {
            pending.add("Config, SyncSets and synced kinds");
        }
        if (!mutation.initialLoadDone()) {
            pending.add("profiles, bindings and mutators");
        }
        if (!providers.initialLoadDone()) {
            pending.add("Providers");
        }
        log.info("not ready yet: waiting for {}", pending);
        lifecycle.submitAfter("log pending", PENDING_LOG, "log pending", this::logPending);
    }

    @Override
    public void destroy() {
        close();
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            // Queues first, so that no work starts an informer after the informers are stopped.
            queues.forEach(WorkQueue::close);
            constraintCrds.stop();
            templates.stop();
            constraints.stop();
            inventory.stop();
            mutation.stop();
            expansion.stop();
            providers.stop();
            if (pods != null) {
                pods.stop();
            }
        } catch (RuntimeException e) {
            log.warn("stopping the informers: {}", e.getMessage());
        } finally {
            status.close();
        }
    }
}
