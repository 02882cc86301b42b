package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import io.portcullis.Portcullis;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PortcullisCommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEverySubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("serve", "verify", "test", "mutate");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("'frobnicate'");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand").contains("serve").contains("Usage: portcullis");
    }

    @Test
    void unknownOrBadServeOptionsAreUsageErrors() {
        assertThat(run("serve", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("Usage: portcullis serve");

        assertThat(run("serve", "--port", "eighty")).isEqualTo(2);
        assertThat(err.toString()).contains("--port").contains("eighty");
    }

    @Test
    void serveHelpNamesTheSpringProperties() {
        assertThat(run("serve", "--help")).isZero();
        // picocli may wrap a property name after its dot.
        assertThat(out.toString().replaceAll("\\.\\s+", ".")).contains("server.port", "portcullis.templates", "portcullis.constraints",
                "portcullis.data", "portcullis.mutations", "portcullis.tls.cert-dir", "portcullis.exempt-namespaces",
                "portcullis.namespace");
    }

    @Test
    void serveOptionsBecomeSpringArguments() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--port", "9443", "--templates", "tpl", "--constraints", "c1", "c,2",
                "--data", "examples", "--mutations", "m", "--certs", "/tmp/c", "--exempt-namespace", "kube-system",
                "--exempt-namespace", "ops", "--exempt-namespace-prefix", "team-", "--exempt-namespace-suffix", "-sandbox",
                "--log-denies", "--emit-admission-events", "--emit-audit-events", "--namespace", "policy",
                "--external-data-provider-response-cache-ttl", "0");

        assertThat(serve.springArguments()).containsExactly(
                "--server.port=9443",
                "--portcullis.templates=tpl",
                "--portcullis.constraints[0]=c1",
                "--portcullis.constraints[1]=c,2",
                "--portcullis.data[0]=examples",
                "--portcullis.mutations[0]=m",
                "--portcullis.tls.cert-dir=/tmp/c",
                "--portcullis.exempt-namespaces[0]=kube-system",
                "--portcullis.exempt-namespaces[1]=ops",
                "--portcullis.exempt-namespace-prefixes[0]=team-",
                "--portcullis.exempt-namespace-suffixes[0]=-sandbox",
                "--portcullis.violations.log-denies=true",
                "--portcullis.violations.emit-admission-events=true",
                "--portcullis.violations.emit-audit-events=true",
                "--portcullis.namespace=policy",
                "--portcullis.external-data.provider-response-cache-ttl=0");
    }

    @Test
    void optionsLeftOutKeepTheConfiguredDefaults() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();
        assertThat(serve.springArguments()).isEmpty();
    }
}
