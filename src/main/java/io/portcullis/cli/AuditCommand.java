package io.portcullis.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.portcullis.audit.AuditProgress;
import io.portcullis.audit.AuditReport;
import io.portcullis.audit.ClusterAudit;
import io.portcullis.audit.ClusterPolicyReader;
import io.portcullis.audit.ConstraintStatusWriter;
import io.portcullis.audit.ManifestAudit;
import io.portcullis.audit.StatusViolation;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.policy.PolicySnapshot;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * {@code portcullis audit}: one audit run, for a Job or CronJob or a laptop. Audits the objects in a cluster
 * (kubeconfig or in-cluster service account) against the ConstraintTemplates and constraints in the cluster
 * (default) or in local directories; or, with {@code -f}, audits manifest files without any cluster. Reviews
 * objects exactly as the server's periodic audit does and prints a report; {@code --write-status} also writes
 * each constraint's audit status as the server does.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {
                "Audit existing objects against ConstraintTemplates and constraints once, as Gatekeeper's audit does.",
                "Objects come from the cluster, or with -f from manifest files; policies from the cluster "
                        + "(--templates-from-cluster, the default) or from --templates/--constraints and the -f files.",
                "Exit status: 0 done, 1 deny violations with --fail-on-violations, 2 usage error, "
                        + "3 the audit could not run or was incomplete."},
        sortOptions = false)
public final class AuditCommand implements Callable<Integer> {
    static final int EXIT_VIOLATIONS = 1;
    static final int EXIT_ERROR = 3;

    @Option(names = "--enable-k8s-native-validation", arity = "0..1", defaultValue = "true", paramLabel = "BOOL",
            description = "Run the CEL (K8sNativeValidation) code of templates that have it, as the server does "
                    + "(default: true); false runs their Rego and refuses CEL-only templates.")
    boolean enableCel = true;

    @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "FILE_OR_DIR",
            description = "Audit these manifests (.yaml, .yml, .json; directories recursively) instead of a cluster; "
                    + "ExpansionTemplates among them expand their objects (a Deployment is also audited as its Pod).")
    List<Path> filenames;

    @Option(names = "--templates-from-cluster", negatable = true, paramLabel = "",
            description = "Read ConstraintTemplates, constraints and Config from the cluster: the default without "
                    + "-f, --templates and --constraints; with -f it audits the files against the cluster's policies.")
    Boolean templatesFromCluster;

    @Option(names = "--templates", arity = "1..*", paramLabel = "DIR",
            description = "ConstraintTemplate files or directories.")
    List<Path> templates;

    @Option(names = "--constraints", arity = "1..*", paramLabel = "DIR",
            description = "Constraint (and Config) files or directories.")
    List<Path> constraints;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the pod's service account).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: the current one).")
    String context;

    @Option(names = "--namespace", paramLabel = "NS",
            description = "Namespace of Gatekeeper's Config object (default: $POD_NAMESPACE or portcullis-system).")
    String namespace;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Report format: table (default), json or yaml.")
    String output;

    @Option(names = "--write-status",
            description = "Write status.auditTimestamp, totalViolations and violations into the cluster's constraints.")
    boolean writeStatus;

    @Option(names = "--fail-on-violations", description = "Exit with 1 when any deny violation is found.")
    boolean failOnViolations;

    @Option(names = "--chunk-size", paramLabel = "N", defaultValue = "500",
            description = "Objects per list request (default 500).")
    int chunkSize;

    @Option(names = "--violations-limit", paramLabel = "N", defaultValue = "20",
            description = "Violations listed (and written to status) per constraint; all are counted (default 20).")
    int violationsLimit;

    @Option(names = {"-v", "--verbose"},
            description = "Log the audit as the server does (one line per violation) on standard error.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        validateOptions();
        logToStandardError(verbose ? Level.INFO : Level.WARN);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressLine progress = ProgressLine.forTerminal(err);
        AuditReport report;
        try (PolicyEngine engine = new PolicyEngine(EngineConfig.defaults())) {
            TemplateCompiler compiler = new TemplateCompiler(engine, enableCel);
            report = filenames != null ? auditFiles(compiler, err, progress) : auditCluster(compiler, err, progress);
        } catch (ManifestAudit.InvalidInputException e) {
            progress.clear();
            err.println("audit: " + e.getMessage());
            return EXIT_ERROR;
        } catch (KubernetesClientException e) {
            progress.clear();
            err.println("audit: the cluster: " + causes(e));
            return EXIT_ERROR;
        } finally {
            err.flush();
        }
        progress.clear();
        print(report, out);
        report.errors().forEach(e -> err.println("audit: " + e));
        err.println(summary(report));
        out.flush();
        err.flush();
        if (!report.errors().isEmpty()) {
            return EXIT_ERROR;
        }
        return failOnViolations && report.denyViolations() > 0 ? EXIT_VIOLATIONS : 0;
    }

    /**
     * Without Spring Boot to set it up, logback would log everything to standard output, into the report. Logs
     * go to standard error instead, warnings only unless asked.
     */
    static void logToStandardError(Level level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0}: %kvp %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(appender);
    }

    /** fabric8's message names the operation; the causes say what went wrong (refused, 403, TLS...). */
    static String causes(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()).strip());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !s.toString().contains(c.getMessage().strip())) {
                s.append(": ").append(c.getMessage().strip());
            }
        }
        return s.toString();
    }

    private void validateOptions() {
        if (!List.of("table", "json", "yaml").contains(output)) {
            throw usage("unrecognized output format \"" + output + "\": use table, json or yaml");
        }
        if (chunkSize < 1) {
            throw usage("--chunk-size must be positive");
        }
        if (violationsLimit < 0) {
            throw usage("--violations-limit must not be negative");
        }
        boolean local = templates != null || constraints != null;
        if (Boolean.TRUE.equals(templatesFromCluster) && local) {
            throw usage("--templates-from-cluster cannot be combined with --templates or --constraints");
        }
        if (writeStatus && filenames != null) {
            throw usage("--write-status writes to a cluster's constraints; it cannot be used with -f");
        }
        if (writeStatus && local) {
            throw usage("--write-status needs the constraints of the cluster (--templates-from-cluster)");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private AuditReport auditFiles(TemplateCompiler compiler, PrintWriter err, ProgressLine progress)
            throws ManifestAudit.InvalidInputException {
        List<Path> files = ManifestAudit.files(filenames);
        PolicySnapshot policies;
        if (Boolean.TRUE.equals(templatesFromCluster)) {
            try (KubernetesClient client = client()) {
                policies = clusterPolicies(client, compiler, err);
            }
        } else {
            List<Path> policyPaths = new ArrayList<>(files);
            policyPaths.addAll(ManifestAudit.files(orEmpty(templates)));
            policyPaths.addAll(ManifestAudit.files(orEmpty(constraints)));
            policies = ManifestAudit.loadPolicies(policyPaths, compiler);
        }
        return new ManifestAudit(files).run(policies.validator(), policies.config(), policies.expansion(),
                policies.mutation().mutators(), violationsLimit, progress);
    }

    private AuditReport auditCluster(TemplateCompiler compiler, PrintWriter err, ProgressLine progress)
            throws ManifestAudit.InvalidInputException {
        try (KubernetesClient client = client()) {
            PolicySnapshot policies = templates != null || constraints != null
                    ? ManifestAudit.loadPolicies(localPolicyFiles(), compiler)
                    : clusterPolicies(client, compiler, err);
            AuditReport report = new ClusterAudit(client, chunkSize, violationsLimit)
                    .run(policies.validator(), policies.config(), progress);
            if (writeStatus) {
                progress.clear();
                ConstraintStatusWriter.Outcome outcome = new ConstraintStatusWriter(client).write(report);
                err.println("status written to " + outcome.written() + " constraints"
                        + (outcome.failed() > 0 ? ", " + outcome.failed() + " failed" : ""));
                if (outcome.failed() > 0) {
                    List<String> errors = new ArrayList<>(report.errors());
                    errors.add("writing the status of " + outcome.failed() + " constraints failed");
                    report = new AuditReport(report.auditId(), report.started(), report.finished(),
                            report.objectsReviewed(), report.objectsSkipped(), errors, report.denyViolations(),
                            report.constraints());
                }
            }
            return report;
        }
    }

    private List<Path> localPolicyFiles() throws ManifestAudit.InvalidInputException {
        List<Path> files = new ArrayList<>(ManifestAudit.files(orEmpty(templates)));
        files.addAll(ManifestAudit.files(orEmpty(constraints)));
        return files;
    }

    private PolicySnapshot clusterPolicies(KubernetesClient client, TemplateCompiler compiler, PrintWriter err) {
        String ns = namespace != null ? namespace : System.getenv().getOrDefault("POD_NAMESPACE", "portcullis-system");
        PolicySnapshot policies = new ClusterPolicyReader(client, compiler, chunkSize).read(ns);
        policies.problems().forEach(p -> err.println("audit: not loaded: " + p));
        return policies;
    }

    private KubernetesClient client() {
        Config config = kubeconfig != null
                ? Config.fromKubeconfig(context, kubeconfig.toFile())
                : Config.autoConfigure(context);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static List<Path> orEmpty(List<Path> paths) {
        return paths == null ? List.of() : paths;
    }

    private void print(AuditReport report, PrintWriter out) {
        if (output.equals("table")) {
            printTables(report, out);
            return;
        }
        ObjectMapper mapper = output.equals("json")
                ? JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                : YAMLMapper.builder().disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                        .enable(YAMLWriteFeature.MINIMIZE_QUOTES).build();
        out.println(mapper.writeValueAsString(report.toJson()).stripTrailing());
    }

    /** One row per constraint, then one row per listed violation. */
    private static void printTables(AuditReport report, PrintWriter out) {
        List<List<String>> constraintRows = new ArrayList<>();
        constraintRows.add(List.of("CONSTRAINT", "ACTION", "VIOLATIONS"));
        List<List<String>> violationRows = new ArrayList<>();
        violationRows.add(List.of("CONSTRAINT", "OBJECT", "MESSAGE"));
        for (AuditReport.ConstraintResult c : report.constraints()) {
            String constraint = c.kind() + "/" + c.name();
            constraintRows.add(List.of(constraint, c.enforcementAction(), Long.toString(c.totalViolations())));
            for (StatusViolation v : c.violations()) {
                violationRows.add(List.of(constraint, object(v), v.message().replace('\n', ' ')));
            }
        }
        if (constraintRows.size() == 1) {
            out.println("No constraints.");
            return;
        }
        printTable(constraintRows, out);
        if (violationRows.size() > 1) {
            out.println();
            printTable(violationRows, out);
        }
    }

    /** {@code Pod default/web}, {@code Deployment.apps default/web}, {@code Namespace prod}. */
    static String object(StatusViolation v) {
        String kind = v.group().isEmpty() ? v.kind() : v.kind() + "." + v.group();
        return kind + " " + (v.namespace().isEmpty() ? v.name() : v.namespace() + "/" + v.name());
    }

    /** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
    static void printTable(List<List<String>> rows, PrintWriter out) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns - 1; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String summary(AuditReport report) {
        StringBuilder s = new StringBuilder("audited ").append(report.objectsReviewed()).append(" objects");
        if (report.objectsSkipped() > 0) {
            s.append(" (").append(report.objectsSkipped()).append(" skipped)");
        }
        s.append(String.format(Locale.ROOT, " in %.1f s: %d violations", report.duration().toMillis() / 1000.0,
                report.totalViolations()));
        List<String> byAction = new ArrayList<>();
        report.violationsByEnforcementAction().forEach((action, count) -> {
            if (count > 0) {
                byAction.add(count + " " + action);
            }
        });
        if (!byAction.isEmpty()) {
            s.append(" (").append(String.join(", ", byAction)).append(')');
        }
        return s.toString();
    }

    /**
     * A progress line on standard error, rewritten in place with carriage returns, at most a few times a second.
     * Only on a terminal: in a Job's log or a pipe the updates would be noise.
     */
    static final class ProgressLine implements AuditProgress {
        private static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
        private final PrintWriter err;
        private final boolean enabled;
        private long lastNanos;
        private int width;

        ProgressLine(PrintWriter err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        static ProgressLine forTerminal(PrintWriter err) {
            return new ProgressLine(err, isTerminal());
        }

        /**
         * System.console() is null when a standard stream is redirected up to JDK 21; from JDK 22 it is not null
         * there either and Console.isTerminal() (not in the JDK 21 API this is compiled against) tells.
         */
        static boolean isTerminal() {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException e) {
                return true;
            }
        }

        @Override
        public void update(String resource, long reviewed, long violations) {
            if (!enabled) {
                return;
            }
            long now = System.nanoTime();
            if (lastNanos != 0 && now - lastNanos < EVERY_NANOS) {
                return;
            }
            lastNanos = now;
            String line = "auditing" + (resource.isEmpty() ? "" : " " + resource) + ": " + reviewed + " objects, "
                    + violations + " violations";
            err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            err.flush();
            width = line.length();
        }

        void clear() {
            if (enabled && width > 0) {
                err.print("\r" + " ".repeat(width) + "\r");
                err.flush();
                width = 0;
            }
        }
    }
}
