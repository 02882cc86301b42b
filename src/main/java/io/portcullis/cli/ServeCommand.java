package io.portcullis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.portcullis.kube.InCluster;
import io.portcullis.webhook.PortcullisServer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portcullis serve}: runs the webhook server until it is stopped. Each option sets one Spring property
 * (shown in its description); options left out keep the value from application.yaml or the environment.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {
                "Serve the validating (/v1/admit) and mutating (/v1/mutate) webhooks over HTTPS.",
                "Certificates are generated into the certs directory on first start; the CA is printed."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT",
            description = "HTTPS port (server.port; default 8443).")
    Integer port;

    @Option(names = "--templates", paramLabel = "DIR",
            description = "ConstraintTemplates directory (portcullis.templates; default constraint-templates).")
    Path templates;

    @Option(names = "--constraints", paramLabel = "DIR", arity = "1..*",
            description = "Constraint directories (portcullis.constraints; default examples/constraints).")
    List<Path> constraints;

    @Option(names = "--data", paramLabel = "DIR", arity = "1..*",
            description = "Directories of sample/referential objects (portcullis.data; default examples/data).")
    List<Path> data;

    @Option(names = "--mutations", paramLabel = "DIR", arity = "1..*",
            description = "Mutator and profile binding directories (portcullis.mutations; default none).")
    List<Path> mutations;

    @Option(names = "--certs", paramLabel = "DIR",
            description = "Certificate directory (portcullis.tls.cert-dir; default certs).")
    Path certs;

    @Option(names = "--exempt-namespace", paramLabel = "NS",
            description = "Namespace allowed to carry the ignore label; repeatable "
                    + "(portcullis.exempt-namespaces).")
    List<String> exemptNamespaces;

    @Option(names = "--exempt-namespace-prefix", paramLabel = "PREFIX",
            description = "Namespaces with this prefix are exempt as with --exempt-namespace; repeatable "
                    + "(portcullis.exempt-namespace-prefixes).")
    List<String> exemptNamespacePrefixes;

    @Option(names = "--exempt-namespace-suffix", paramLabel = "SUFFIX",
            description = "Namespaces with this suffix are exempt as with --exempt-namespace; repeatable "
                    + "(portcullis.exempt-namespace-suffixes).")
    List<String> exemptNamespaceSuffixes;

    @Option(names = "--log-denies", description = "Log each violation an admission review finds, with Gatekeeper's "
            + "fields (portcullis.violations.log-denies).")
    boolean logDenies;

    @Option(names = "--emit-admission-events", description = "A Kubernetes Event for each violation an admission "
            + "review finds; cluster mode (portcullis.violations.emit-admission-events).")
    boolean emitAdmissionEvents;

    @Option(names = "--emit-audit-events", description = "A Kubernetes Event for each violation the audit finds; "
            + "cluster mode (portcullis.violations.emit-audit-events).")
    boolean emitAuditEvents;

    @Option(names = "--admission-events-involved-namespace", description = "Admission Events go into the reviewed "
            + "object's namespace, about the object itself "
            + "(portcullis.violations.admission-events-involved-namespace).")
    boolean admissionEventsInvolvedNamespace;

    @Option(names = "--audit-events-involved-namespace", description = "Audit Events go into the audited object's "
            + "namespace, about the object itself (portcullis.violations.audit-events-involved-namespace).")
    boolean auditEventsInvolvedNamespace;

    @Option(names = "--namespace", paramLabel = "NS",
            description = "The server's own namespace (portcullis.namespace; default $POD_NAMESPACE or "
                    + "portcullis-system).")
    String namespace;

    @Option(names = "--enable-k8s-native-validation", arity = "0..1", paramLabel = "BOOL",
            description = "Run the CEL (K8sNativeValidation) code of templates that have it, as Gatekeeper "
                    + "(portcullis.enable-k8s-native-validation; default true).")
    Boolean enableCel;

    @Option(names = "--external-data-provider-response-cache-ttl", paramLabel = "DURATION",
            description = "How long an external data provider's answer for a key is reused, e.g. 3m; 0 turns the "
                    + "cache off, as Gatekeeper's flag (portcullis.external-data.provider-response-cache-ttl).")
    String externalDataCacheTtl;

    @Option(names = "--kubernetes",
            description = "Read templates, constraints, Config and mutations from the cluster (portcullis.source="
                    + "kubernetes; kubeconfig or in-cluster service account). The default inside a pod.")
    boolean kubernetes;

    @Override
    public Integer call() throws InterruptedException {
        ConfigurableApplicationContext context;
        try {
            context = PortcullisServer.start(springArguments().toArray(String[]::new));
        } catch (RuntimeException e) {
            // Spring Boot has already logged why the server could not start.
            return 1;
        }
        awaitClose(context);
        return 0;
    }

    /** The options as Spring command-line arguments ({@code --key=value}), which outrank application.yaml. */
    List<String> springArguments() {
        List<String> args = new ArrayList<>();
        if (port != null) {
            args.add("--server.port=" + port);
        }
        if (templates != null) {
            args.add("--portcullis.templates=" + templates);
        }
        addList(args, "portcullis.constraints", constraints);
        addList(args, "portcullis.data", data);
        addList(args, "portcullis.mutations", mutations);
        if (certs != null) {
            args.add("--portcullis.tls.cert-dir=" + certs);
        }
        addList(args, "portcullis.exempt-namespaces", exemptNamespaces);
        addList(args, "portcullis.exempt-namespace-prefixes", exemptNamespacePrefixes);
        addList(args, "portcullis.exempt-namespace-suffixes", exemptNamespaceSuffixes);
        if (logDenies) {
            args.add("--portcullis.violations.log-denies=true");
        }
        if (emitAdmissionEvents) {
            args.add("--portcullis.violations.emit-admission-events=true");
        }
        if (emitAuditEvents) {
            args.add("--portcullis.violations.emit-audit-events=true");
        }
        if (admissionEventsInvolvedNamespace) {
            args.add("--portcullis.violations.admission-events-involved-namespace=true");
        }
        if (auditEventsInvolvedNamespace) {
            args.add("--portcullis.violations.audit-events-involved-namespace=true");
        }
        if (namespace != null) {
            args.add("--portcullis.namespace=" + namespace);
        }
        if (enableCel != null) {
            args.add("--portcullis.enable-k8s-native-validation=" + enableCel);
        }
        if (externalDataCacheTtl != null) {
            args.add("--portcullis.external-data.provider-response-cache-ttl=" + externalDataCacheTtl);
        }
        if (InCluster.selectsKubernetes(kubernetes)) {
            args.add("--portcullis.source=kubernetes");
        }
        return args;
    }

    /** Indexed keys, so values may contain commas. */
    private static void addList(List<String> args, String key, List<?> values) {
        if (values == null) {
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            args.add("--" + key + "[" + i + "]=" + values.get(i));
        }
    }

    /** The server runs on non-daemon threads; return once it has shut down (SIGTERM, actuator, ...). */
    private static void awaitClose(ConfigurableApplicationContext context) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) {
                closed.countDown();
            }
        });
        if (context.isActive()) {
            closed.await();
        }
    }
}
