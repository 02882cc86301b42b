package io.portcullis.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real Kubernetes control plane on loopback for end-to-end tests: etcd and kube-apiserver, built from their
 * Go modules by {@code src/test/cluster/build.sh} (cached), started as child processes on random free ports of
 * 127.0.0.1 with certificates made for this run, and stopped by process id in {@link #close()} (a JVM shutdown
 * hook is the safety net; the next start also ends processes a killed JVM left behind).
 *
 * <p>There is no scheduler, controller manager or kubelet: objects are stored and admitted (webhooks included)
 * but nothing reconciles them. Pods stay Pending, Deployments make no Pods, a deleted namespace stays
 * Terminating, and namespaces get no {@code default} ServiceAccount by themselves: {@link #createNamespace}
 * makes one, since the ServiceAccount admission plugin refuses Pods without it.
 *
 * <p>Admission webhooks reach a server in the test JVM through a URL clientConfig such as
 * {@code https://127.0.0.1:PORT/v1/admit}: no Service networking, no aggregator routing. The children get no
 * proxy variables, so a proxy configured for the build cannot capture those calls.
 *
 * <p>Everything of one run lives in {@code target/e2e/plane-*}: certificates, the admin kubeconfig, and the
 * logs of both processes ({@code etcd.log}, {@code kube-apiserver.log}), kept after close for debugging.
 */
public final class KubeControlPlane implements AutoCloseable {

    /** The issuer of service account tokens, as in a kubeadm cluster. */
    public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
    public static final String SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24";

    private static final Duration ETCD_START = Duration.ofSeconds(60);
    private static final Duration API_SERVER_START = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration KUBECTL_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> PROXY_VARIABLES = List.of("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
            "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy");

    private final Path binaries;
    private final Path workDir;
    private final TestPki pki;
    private final TestPki.Issued admin;
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopProcesses, "kube-control-plane-stop");
    private int apiServerPort;
    private Path kubeconfig;
    private KubernetesClient client;
    private boolean closed;

    private KubeControlPlane(Path binaries, Path workDir) {
        this.binaries = binaries;
        this.workDir = workDir;
        this.pki = TestPki.newCa("portcullis-e2e-kube-ca");
        this.admin = pki.client("portcullis-e2e-admin", List.of("system:masters"));
    }

    /** Builds or finds the binaries, then starts etcd and kube-apiserver and waits until /readyz is ok. */
    public static KubeControlPlane start() {
        return start(List.of());
    }

    /**
     * As {@link #start()}, with extra kube-apiserver flags appended (a later flag overrides an earlier one),
     * e.g. {@code --feature-gates=...} or {@code --admission-control-config-file=...}.
     */
    public static KubeControlPlane start(List<String> extraApiServerFlags) {
        Path binaries = ClusterBinaries.locate();
        Path root = outputRoot();
        stopLeftovers(root, binaries);
        Path workDir;
        try {
            Files.createDirectories(root);
            workDir = Files.createTempDirectory(root, "plane-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under " + root, e);
        }
        TestPki.writeFile(workDir.resolve("owner"), ProcessHandle.current().pid() + "\n", false);
        KubeControlPlane plane = new KubeControlPlane(binaries, workDir);
        Runtime.getRuntime().addShutdownHook(plane.shutdownHook);
        try {
            plane.startProcesses(extraApiServerFlags);
            return plane;
        } catch (RuntimeException | Error e) {
            plane.close();
            throw e;
        }
    }

    /** The admin kubeconfig (user in group system:masters), for kubectl or any other client. */
    public Path kubeconfigPath() {
        return kubeconfig;
    }

    /** A fabric8 client with admin rights, made on first use and closed by {@link #close()}. */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    /** A new fabric8 client with admin rights; the caller closes it. */
    public KubernetesClient newClient() {
        Config config = Config.fromKubeconfig(kubeconfig.toFile());
        config.setNoProxy(new String[] {"127.0.0.1", "localhost"});
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Runs kubectl with the admin kubeconfig; a failing kubectl is a result, not an exception. */
    public Kubectl.Result kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    /** Runs kubectl with the admin kubeconfig and the given standard input (e.g. for {@code apply -f -}). */
    public Kubectl.Result kubectlWithInput(String stdin, String... args) {
        return Kubectl.run(binaries.resolve("kubectl"), kubeconfig, childEnvironment(), stdin, KUBECTL_TIMEOUT,
                args);
    }

    /** The API server's URL, {@code https://127.0.0.1:PORT}. */
    public String apiServerUrl() {
        return "https://127.0.0.1:" + apiServerPort;
    }

    /** The CA of this plane: it signed the API server's serving certificate and the admin's client certificate. */
    public TestPki pki() {
        return pki;
    }

    /**
     * Creates a namespace with the given labels and its {@code default} ServiceAccount (which a controller
     * manager would make), so Pods can be created in it.
     */
    public void createNamespace(String name, Map<String, String> labels) {
        KubernetesClient kube = client();
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
        kube.serviceAccounts().inNamespace(name).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("default").endMetadata().build()).create();
    }

    /** The running etcd and kube-apiserver processes (empty after close). */
    public List<ProcessHandle> processes() {
        synchronized (processes) {
            return processes.stream().filter(Process::isAlive).map(Process::toHandle).toList();
        }
    }

    /** This run's directory: certificates, kubeconfig, {@code etcd.log} and {@code kube-apiserver.log}. */
    public Path workDir() {
        return workDir;
    }

    /** Stops kube-apiserver, then etcd, by process id (SIGTERM, then SIGKILL after a grace period). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.close();
        }
        stopProcesses();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it stops nothing twice.
        }
        deleteTree(workDir.resolve("etcd-data")); // a 64 MB write-ahead log per run otherwise
        if (processes().isEmpty()) {
            deleteTree(workDir.resolve("pids"));
        }
    }

    private void startProcesses(List<String> extraApiServerFlags) {
        Path certs = workDir.resolve("pki");
        createDirectories(certs);
        TestPki.writeFile(certs.resolve("ca.crt"), pki.ca().certificatePem(), false);
        pki.server("kube-apiserver",
                List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local"),
                List.of("127.0.0.1", "10.0.0.1")).write(certs, "apiserver");
        admin.write(certs, "admin");
        KeyPair serviceAccountKey = TestPki.keyPair();
        TestPki.writeFile(certs.resolve("sa.key"), TestPki.pem(serviceAccountKey.getPrivate()), true);
        TestPki.writeFile(certs.resolve("sa.pub"), TestPki.pem(serviceAccountKey.getPublic()), false);

        int etcdPort = freePort();
        int etcdPeerPort = freePort();
        apiServerPort = freePort();

        String etcdUrl = "http://127.0.0.1:" + etcdPort;
        String peerUrl = "http://127.0.0.1:" + etcdPeerPort;
        Process etcd = launch("etcd", List.of(
                binaries.resolve("etcd").toString(),
                "--name=e2e",
                "--data-dir=" + workDir.resolve("etcd-data"),
                "--listen-client-urls=" + etcdUrl,
                "--advertise-client-urls=" + etcdUrl,
                "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=e2e=" + peerUrl,
                "--listen-metrics-urls=",
                // Test data: durability is not worth an fsync per write on a shared disk.
                "--unsafe-no-fsync=true",
                "--log-level=warn"));
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        waitUntil("etcd", etcd, ETCD_START, () -> ok(plain, URI.create(etcdUrl + "/health")));

        List<String> apiServer = new ArrayList<>(List.of(
                binaries.resolve("kube-apiserver").toString(),
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiServerPort,
                "--etcd-servers=" + etcdUrl,
                "--cert-dir=" + workDir.resolve("apiserver-generated"),
                "--tls-cert-file=" + certs.resolve("apiserver.crt"),
                "--tls-private-key-file=" + certs.resolve("apiserver.key"),
                "--client-ca-file=" + certs.resolve("ca.crt"),
                "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
                "--service-account-key-file=" + certs.resolve("sa.pub"),
                "--service-account-signing-key-file=" + certs.resolve("sa.key"),
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                "--authorization-mode=Node,RBAC",
                // Both are on by default; named so a reader sees the point of this plane.
                "--enable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook",
                "--allow-privileged=true",
                "--profiling=false"));
        apiServer.addAll(extraApiServerFlags);
        Process kubeApiServer = launch("kube-apiserver", apiServer);

        HttpClient tls = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .sslContext(admin.sslContext(pki.caCertificate())).build();
        waitUntil("kube-apiserver", kubeApiServer, API_SERVER_START,
                () -> ok(tls, URI.create(apiServerUrl() + "/readyz")));

        kubeconfig = workDir.resolve("admin.kubeconfig");
        TestPki.writeFile(kubeconfig, kubeconfigText(), true);
    }

    private String kubeconfigText() {
        Base64.Encoder b64 = Base64.getEncoder();
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: e2e-admin
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                contexts:
                - name: e2e
                  context:
                    cluster: e2e
                    user: e2e-admin
                    namespace: default
                current-context: e2e
                """.formatted(apiServerUrl(),
                b64.encodeToString(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)),
                b64.encodeToString(admin.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                b64.encodeToString(admin.keyPem().getBytes(StandardCharsets.US_ASCII)));
    }

    private Process launch(String name, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        builder.environment().clear();
        builder.environment().putAll(childEnvironment());
        try {
            Process process = builder.start();
            synchronized (processes) {
                processes.add(process);
            }
            Files.writeString(workDir.resolve("pids"), process.pid() + "\n", StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private Path log(String name) {
        return workDir.resolve(name + ".log");
    }

    private static Map<String, String> childEnvironment() {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        PROXY_VARIABLES.forEach(env::remove);
        return env;
    }

    private interface Probe {
        boolean ready() throws IOException, InterruptedException;
    }

    private void waitUntil(String name, Process process, Duration limit, Probe probe) {
        Instant deadline = Instant.now().plus(limit);
        String lastError = "never answered";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; last lines of " + log(name) + ":\n" + tail(log(name), 30));
            }
            try {
                if (probe.ready()) {
                    return;
                }
                lastError = "not ready yet";
            } catch (IOException e) {
                lastError = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(Duration.ofMillis(250));
        }
        throw new IllegalStateException(name + " was not ready after " + limit.toSeconds() + " s (" + lastError
                + "); last lines of " + log(name) + ":\n" + tail(log(name), 30));
    }

    private static boolean ok(HttpClient http, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200;
    }

    /** kube-apiserver first: it would only log errors about a vanished etcd while shutting down. */
    private void stopProcesses() {
        List<Process> toStop;
        synchronized (processes) {
            toStop = new ArrayList<>(processes.reversed());
        }
        for (Process process : toStop) {
            stop(process.toHandle());
        }
    }

    private static void stop(ProcessHandle process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JVM killed with SIGKILL runs no shutdown hook; its etcd and kube-apiserver would keep their ports.
     * Each run lists its pids and its JVM's, so the next run ends those of a dead JVM that still run one of
     * our binaries (a pid alone may have been reused by now).
     */
    private static void stopLeftovers(Path root, Path binaries) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> runs = Files.list(root)) {
            for (Path pids : runs.map(run -> run.resolve("pids")).filter(Files::isRegularFile).toList()) {
                Path owner = pids.resolveSibling("owner");
                if (Files.exists(owner) && ProcessHandle.of(Long.parseLong(Files.readString(owner).trim()))
                        .map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // another test JVM's plane, still in use
                }
                for (String line : Files.readAllLines(pids)) {
                    Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(line.trim()));
                    process.filter(p -> p.info().command().map(c -> c.startsWith(binaries.toString()))
                            .orElse(false)).ifPresent(KubeControlPlane::stop);
                }
                Files.delete(pids);
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("KubeControlPlane: could not check for leftover processes: " + e);
        }
    }

    static Path outputRoot() {
        String configured = System.getProperty("portcullis.e2e.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().resolve("target/e2e");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no log)";
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8))) {
            List<String> all = reader.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("KubeControlPlane: could not delete " + dir + ": " + e);
        }
    }
}
