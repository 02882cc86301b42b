package io.portcullis.cli;

import io.portcullis.engine.CompileError;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyCompileException;
import io.portcullis.engine.RegoModule;
import io.portcullis.engine.RegoTestRunner;
import io.portcullis.engine.RegoVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis rego-test PATH...}: runs the Rego unit tests ({@code test_*} rules) of the {@code .rego} files
 * under the paths with OPA's own test runner, like {@code opa test --v0-compatible PATH...}, and prints OPA's
 * report. Exit codes are opa test's: 0 when every test passed, 2 when one failed or errored, 1 when a module does
 * not parse or compile, or no test was found (a wrong path must not pass CI).
 */
@Command(name = "rego-test", mixinStandardHelpOptions = true,
        description = "Run Rego unit tests (test_ rules) with OPA's test runner, like opa test.")
public final class RegoTestCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "PATH", description = ".rego files, or directories searched recursively.")
    List<Path> paths;

    @Option(names = {"-r", "--run"}, paramLabel = "REGEX", description = "Run only tests whose name matches (opa test --run).")
    String run;

    @Option(names = {"-v", "--verbose"}, description = "List every test, not only failures (opa test -v).")
    boolean verbose;

    @Option(names = "--v1", description = "Parse the modules as Rego v1 (default v0, as Gatekeeper templates).")
    boolean v1;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<RegoModule> modules;
        try {
            modules = modules(paths, v1 ? RegoVersion.V1 : RegoVersion.V0);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("rego-test: " + e.getMessage());
            return 1;
        }
        RegoTestRunner.Report report;
        try {
            report = new RegoTestRunner(EngineConfig.defaults()).run(modules, run, verbose);
        } catch (PolicyCompileException e) {
            for (CompileError error : e.errors()) {
                err.println(error);
            }
            return 1;
        }
        out.print(report.text());
        out.flush();
        if (report.total() == 0) {
            err.println("rego-test: no tests found under " + paths + (run == null ? "" : " matching " + run));
            return 1;
        }
        return report.succeeded() ? 0 : 2;
    }

    /** The .rego files under the paths, sorted, each named by its path as given (what OPA's report shows). */
    static List<RegoModule> modules(List<Path> paths, RegoVersion version) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isRegularFile(path)) {
                files.add(path);
            } else if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".rego"))
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
                }
            } else {
                throw new IllegalArgumentException(path + ": no such file or directory");
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .rego files under " + paths);
        }
        List<RegoModule> modules = new ArrayList<>();
        for (Path file : files) {
            try {
                modules.add(new RegoModule(file.toString(), Files.readString(file, StandardCharsets.UTF_8), version));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return modules;
    }
}
