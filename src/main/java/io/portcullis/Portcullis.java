package io.portcullis;

import io.portcullis.cli.AuditCommand;
import io.portcullis.cli.ExpandCommand;
import io.portcullis.cli.MutateCommand;
import io.portcullis.cli.RegoTestCommand;
import io.portcullis.cli.ServeCommand;
import io.portcullis.cli.TestCommand;
import io.portcullis.cli.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis}: the command line. Each job is a subcommand; {@code serve} runs the webhook server.
 * Usage errors (unknown subcommand or option, bad value) print the problem and the usage and exit with 2.
 */
@Command(name = "portcullis",
        mixinStandardHelpOptions = true,
        versionProvider = Portcullis.Version.class,
        description = "Kubernetes admission webhook: OPA Gatekeeper compatible policies and SPO profile binding.",
        subcommands = {
                ServeCommand.class,
                VerifyCommand.class,
                TestCommand.class,
                MutateCommand.class,
                ExpandCommand.class,
                AuditCommand.class,
                RegoTestCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Portcullis implements Runnable {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for main and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Portcullis());
    }

    /** Without a subcommand there is nothing to do: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: give one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Portcullis.class.getPackage().getImplementationVersion();
            return new String[] {"portcullis " + (version == null ? "(development build)" : version)};
        }
    }
}
