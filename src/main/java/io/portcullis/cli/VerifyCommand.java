package io.portcullis.cli;

import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Suite;
import io.portcullis.constraint.SuiteRunner;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis verify PATH...}: runs gator test suites ({@code kind: Suite},
 * {@code test.gatekeeper.sh/v1alpha1}) like {@code gator verify}. A directory means every suite under it. Prints
 * a line per case and ends with {@code N passed, N failed}; exits 0 only when nothing failed. A test's
 * {@code expansion:} file expands its case objects as gator verify does ({@link VerifyExpansion}).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run gator test suites (suite.yaml files) against their templates and constraints.")
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Suite files, or directories searched recursively for them (gator's DIR/... works too).")
    List<Path> paths;

    @Option(names = "--enable-k8s-native-validation", arity = "0..1", defaultValue = "true", paramLabel = "BOOL",
            description = "Run the CEL (K8sNativeValidation) code of templates that have it, as gator (default: true); "
                    + "false runs their Rego and refuses CEL-only templates.")
    boolean enableCel = true;

    @Option(names = "--run", paramLabel = "REGEX",
            description = "Run only tests or cases whose name matches; TEST//CASE selects cases within tests.")
    String run;

    @Option(names = {"-v", "--verbose"}, description = "Also list skipped tests and cases.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SuiteRunner.Filter filter;
        try {
            filter = SuiteRunner.Filter.parse(run);
        } catch (IllegalArgumentException e) {
            err.println("invalid --run: " + e.getMessage());
            return 2;
        }
        int passed = 0;
        int failed = 0;
        try (PolicyEngine engine = new PolicyEngine(EngineConfig.defaults())) {
            SuiteRunner runner = new SuiteRunner(new TemplateCompiler(engine, enableCel), new VerifyExpansion());
            for (Path path : paths) {
                List<Suite> suites;
                try {
                    suites = Suite.find(path);
                } catch (ManifestException e) {
                    out.println("--- FAIL: " + path);
                    out.println("        " + e.getMessage());
                    failed++;
                    continue;
                }
                for (Suite suite : suites) {
                    for (SuiteRunner.Outcome o : runner.run(suite, filter)) {
                        if (o.skipped()) {
                            if (verbose) {
                                out.println("=== SKIP  " + o.label() + "\t(" + suite.path() + ")");
                            }
                        } else if (o.passed()) {
                            passed++;
                            out.println("--- PASS: " + o.label() + "\t(" + suite.path() + ")");
                        } else {
                            failed++;
                            out.println("--- FAIL: " + o.label() + "\t(" + suite.path() + ")");
                            out.println("        " + o.error().replace("\n", "\n        "));
                        }
                    }
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
