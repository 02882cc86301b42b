package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates in a cluster, against fabric8's mock API server in CRUD mode (it keeps objects, checks
 * resourceVersions on update, refuses to create what exists and applies JSON Patches with their test ops).
 * Each "replica" is a rotator with its own cert-dir, as pods each have an emptyDir.
 */
@EnableKubernetesMockClient(crud = true)
class SecretCertificateRotatorTest {

    private static final String NS = "portcullis-system";
    private static final String SECRET = "portcullis-webhook-cert";
    private static final String VALIDATING = "portcullis-validating-webhook-configuration";
    private static final String MUTATING = "portcullis-mutating-webhook-configuration";
    private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

    KubernetesClient client;

    @TempDir
    Path dirs;

    private final CertificateSpec spec = CertificateSpec.defaults(NS);

    @BeforeEach
    void installWebhookConfigurations() {
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(VALIDATING).endMetadata()
                        .addNewWebhook().withName("validation.portcullis.dev").withNewClientConfig()
                        .withNewService().withNamespace(NS).withName("portcullis").withPath("/v1/admit")
                        .endService().endClientConfig().endWebhook()
                        .addNewWebhook().withName("check-ignore-label.portcullis.dev").withNewClientConfig()
                        .withNewService().withNamespace(NS).withName("portcullis").withPath("/v1/admitlabel")
                        .endService().endClientConfig().endWebhook()
                        .build()).create();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(MUTATING).endMetadata()
                        .addNewWebhook().withName("mutation.portcullis.dev").withNewClientConfig()
                        .withNewService().withNamespace(NS).withName("portcullis").withPath("/v1/mutate")
                        .endService().endClientConfig().endWebhook()
                        .build()).create();
    }

    private SecretCertificateRotator replica(String name, CertificateSpec spec) {
        return new SecretCertificateRotator(new SecretCertificateStore(client, NS, SECRET),
                new WebhookCaBundle(client, VALIDATING, MUTATING), new PemDirectoryStore(dirs.resolve(name)), spec,
                new CertificateProvisioner(new CertificateIssuer()));
    }

    private SecretCertificateRotator replica(String name) {
        return replica(name, spec);
    }

    @Test
    void firstStartCreatesTheSecretPatchesEveryWebhookAndWritesTheFiles() throws Exception {
        SecretCertificateRotator.Outcome outcome = replica("a").rotate(NOW);

        assertThat(outcome.result().action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        Map<String, String> data = secretData();
        assertThat(data).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
        X509Certificate ca = Pem.certificate(data.get("ca.crt"));
        X509Certificate serving = Pem.certificate(data.get("tls.crt"));
        CertificateProvisionerTest.assertChainsTo(serving, ca);
        assertThat(CertificateProvisioner.missingSans(serving, spec)).isEmpty();
        assertThat(Pem.privateKey(data.get("ca.key"))).isEqualTo(outcome.certificates().caKey());

        assertThat(caBundles()).hasSize(3).allSatisfy(bundle -> assertThat(bundle).containsExactly(ca));

        Path dir = dirs.resolve("a");
        assertThat(Files.readString(dir.resolve("tls.crt"))).isEqualTo(data.get("tls.crt"));
        assertThat(Files.readString(dir.resolve("tls.key"))).isEqualTo(data.get("tls.key"));
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(data.get("ca.crt"));
        assertThat(dir.resolve("ca.key")).as("the CA key stays in the Secret").doesNotExist();
    }

    @Test
    void secondReplicaReusesTheSecretAndChangesNothing() throws Exception {
        replica("a").rotate(NOW);
        String resourceVersion = secret().getMetadata().getResourceVersion();
        String validatingVersion = validating().getMetadata().getResourceVersion();

        SecretCertificateRotator.Outcome second = replica("b").rotate(NOW.plus(Duration.ofMinutes(5)));

        assertThat(second.result().action()).isEqualTo(CertificateProvisioner.Action.REUSED);
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(validating().getMetadata().getResourceVersion()).isEqualTo(validatingVersion);
        assertThat(second.webhooks().patched()).isEmpty();
        assertThat(second.webhooks().unchanged()).hasSize(2);
        assertThat(Files.readString(dirs.resolve("b/tls.crt"))).isEqualTo(Files.readString(dirs.resolve("a/tls.crt")));
    }

    @Test
    void anEmptySecretShippedWithTheManifestsIsFilledIn() throws Exception {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
                .withNamespace(NS).addToLabels("shipped", "yes").endMetadata().withType("Opaque").build()).create();

        replica("a").rotate(NOW);

        assertThat(secret().getMetadata().getLabels()).containsEntry("shipped", "yes");
        assertThat(secretData()).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
    }

    @Test
    void replicasStartingTogetherAgreeOnOneCa() throws Exception {
        List<String> names = List.of("a", "b", "c");
        List<SecretCertificateRotator.Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(names.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SecretCertificateRotator.Outcome>> futures = new ArrayList<>();
            for (String name : names) {
                SecretCertificateRotator replica = replica(name);
                futures.add(pool.submit(() -> {
                    go.await();
                    return replica.rotate(NOW);
                }));
            }
            go.countDown();
            for (Future<SecretCertificateRotator.Outcome> future : futures) {
                outcomes.add(future.get());
            }
        } finally {
            pool.shutdownNow();
        }

        X509Certificate ca = Pem.certificate(secretData().get("ca.crt"));
        String serving = secretData().get("tls.crt");
        assertThat(outcomes).allSatisfy(o -> assertThat(o.certificates().ca()).isEqualTo(ca));
        assertThat(outcomes).filteredOn(o -> o.result().action() == CertificateProvisioner.Action.GENERATED)
                .as("exactly one replica's certificates were written").hasSize(1);
        for (String name : names) {
            assertThat(Files.readString(dirs.resolve(name).resolve("tls.crt"))).isEqualTo(serving);
        }
        assertThat(caBundles()).allSatisfy(bundle -> assertThat(bundle).containsExactly(ca));
    }

    @Test
    void aStaleWriteIsAConflictAndTheNextCheckReusesTheWinner() throws Exception {
        SecretCertificateStore late = new SecretCertificateStore(client, NS, SECRET);
        assertThat(late.load()).isEqualTo(PemBundle.EMPTY);
        SecretCertificateRotator.Outcome first = replica("a").rotate(NOW);

        PemBundle mine = new CertificateProvisioner(new CertificateIssuer())
                .resolve(PemBundle.EMPTY, spec, NOW).certificates().toPem();
        assertThatThrownBy(() -> late.save(mine, Optional.empty()))
                .as("create of an existing Secret").isInstanceOf(CertificateConflictException.class);

        late.load();
        replica("a").rotate(NOW.plus(Duration.ofDays(300))); // renews the serving certificate: a new version
        assertThatThrownBy(() -> late.save(mine, Optional.empty()))
                .as("update over an old resourceVersion").isInstanceOf(CertificateConflictException.class);

        assertThat(Pem.certificate(secretData().get("ca.crt"))).isEqualTo(first.certificates().ca());
    }

    @Test
    void servingCertificateNearExpiryIsReissuedBySameCaAndTheFilesFollow() throws Exception {
        SecretCertificateRotator.Outcome first = replica("a").rotate(NOW);
        String before = Files.readString(dirs.resolve("a/tls.crt"));

        // 365-day certificate, renewed 90 days before its end.
        SecretCertificateRotator.Outcome renewed = replica("a").rotate(NOW.plus(Duration.ofDays(280)));

        assertThat(renewed.result().action()).isEqualTo(CertificateProvisioner.Action.REISSUED);
        assertThat(renewed.certificates().ca()).isEqualTo(first.certificates().ca());
        assertThat(renewed.trusted()).containsExactly(first.certificates().ca());
        assertThat(renewed.webhooks().patched()).isEmpty();
        String after = Files.readString(dirs.resolve("a/tls.crt"));
        assertThat(after).isNotEqualTo(before).isEqualTo(secretData().get("tls.crt"));
        assertThat(Pem.certificate(after).getNotAfter().toInstant())
                .isAfter(NOW.plus(Duration.ofDays(280 + 364)));
    }

    @Test
    void caChangeTrustsOldAndNewCaUntilTheOldServingCertificateIsGone() throws Exception {
        // A CA that expires 400 days after issue, so it is renewed (90 days ahead) while the first serving
        // certificate (365 days) is still valid and still served by replicas that have not checked yet.
        CertificateSpec shortCa = new CertificateSpec(NS, "portcullis", List.of(), KeyAlgorithm.EC_P256,
                Duration.ofDays(400), Duration.ofDays(365), Duration.ofDays(90));
        SecretCertificateRotator a = replica("a", shortCa);
        SecretCertificateRotator b = replica("b", shortCa);
        X509Certificate oldCa = a.rotate(NOW).certificates().ca();
        b.rotate(NOW);
        X509Certificate oldServing = Pem.certificate(Files.readString(dirs.resolve("b/tls.crt")));

        Instant change = NOW.plus(Duration.ofDays(320));
        SecretCertificateRotator.Outcome rotated = a.rotate(change);

        assertThat(rotated.result().action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        X509Certificate newCa = rotated.certificates().ca();
        assertThat(newCa).isNotEqualTo(oldCa);
        assertThat(rotated.trusted()).containsExactly(newCa, oldCa);
        assertThat(caBundles()).allSatisfy(bundle -> assertThat(bundle).containsExactlyInAnyOrder(oldCa, newCa));
        assertThat(rotated.webhooks().patched()).hasSize(2);
        // Replica a serves the new certificate; b, not checked yet, still the old one: both are trusted.
        X509Certificate newServing = Pem.certificate(Files.readString(dirs.resolve("a/tls.crt")));
        CertificateProvisionerTest.assertChainsTo(newServing, newCa);
        CertificateProvisionerTest.assertChainsTo(oldServing, oldCa);
        assertThat(Pem.certificate(Files.readString(dirs.resolve("b/tls.crt")))).isEqualTo(oldServing);
        Map<String, String> data = secretData();
        assertThat(Pem.certificate(data.get("ca.crt"))).isEqualTo(newCa);
        assertThat(Pem.certificate(data.get(SecretCertificateStore.PREVIOUS_CA))).isEqualTo(oldCa);
        assertThat(Instant.parse(secret().getMetadata().getAnnotations().get(SecretCertificateStore.PREVIOUS_UNTIL)))
                .isEqualTo(oldServing.getNotAfter().toInstant());

        // b's next check picks up the new certificate and keeps both CAs trusted.
        SecretCertificateRotator.Outcome bLater = b.rotate(change.plus(Duration.ofHours(1)));
        assertThat(bLater.result().action()).isEqualTo(CertificateProvisioner.Action.REUSED);
        assertThat(bLater.trusted()).containsExactly(newCa, oldCa);
        assertThat(Pem.certificate(Files.readString(dirs.resolve("b/tls.crt")))).isEqualTo(newServing);

        // Once the old serving certificate has expired nobody can serve it: the old CA leaves the bundle.
        Instant afterOldServing = oldServing.getNotAfter().toInstant().plusSeconds(1);
        SecretCertificateRotator.Outcome settled = b.rotate(afterOldServing);
        assertThat(settled.trusted()).containsExactly(newCa);
        assertThat(caBundles()).allSatisfy(bundle -> assertThat(bundle).containsExactly(newCa));
        assertThat(secretData()).doesNotContainKey(SecretCertificateStore.PREVIOUS_CA);
        assertThat(secret().getMetadata().getAnnotations()).doesNotContainKey(SecretCertificateStore.PREVIOUS_UNTIL);
    }

    @Test
    void aReplicaWithAnOldReadOfTheSecretDoesNotDropTheNewCa() throws Exception {
        CertificateSpec shortCa = new CertificateSpec(NS, "portcullis", List.of(), KeyAlgorithm.EC_P256,
                Duration.ofDays(400), Duration.ofDays(365), Duration.ofDays(90));
        X509Certificate oldCa = replica("a", shortCa).rotate(NOW).certificates().ca();
        SecretCertificateStore stale = new SecretCertificateStore(client, NS, SECRET);
        stale.load();

        SecretCertificateRotator.Outcome rotated = replica("a", shortCa).rotate(NOW.plus(Duration.ofDays(320)));

        WebhookCaBundle webhooks = new WebhookCaBundle(client, VALIDATING, MUTATING);
        String oldOnly = SecretCertificateRotator.caBundle(List.of(oldCa));
        assertThatThrownBy(() -> webhooks.apply(oldOnly, stale::unchangedSinceLoad))
                .isInstanceOf(CertificateConflictException.class);
        assertThat(caBundles()).allSatisfy(bundle ->
                assertThat(bundle).containsExactlyInAnyOrder(oldCa, rotated.certificates().ca()));
    }

    @Test
    void aBrokenSecretIsReplacedAndMissingWebhookConfigurationsAreReported() throws Exception {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MUTATING).delete();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
                .withNamespace(NS).endMetadata().withType("Opaque")
                .addToData("ca.crt", Base64.getEncoder().encodeToString("not a certificate".getBytes()))
                .build()).create();

        SecretCertificateRotator.Outcome outcome = replica("a").rotate(NOW);

        assertThat(outcome.result().action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        assertThat(outcome.result().reason()).contains("ca.crt is unreadable");
        assertThat(outcome.trusted()).hasSize(1);
        assertThat(outcome.webhooks().missing()).containsExactly("MutatingWebhookConfiguration/" + MUTATING);
        assertThat(outcome.webhooks().patched()).containsExactly("ValidatingWebhookConfiguration/" + VALIDATING);
    }

    // --- helpers

    private Secret secret() {
        return client.secrets().inNamespace(NS).withName(SECRET).get();
    }

    private Map<String, String> secretData() {
        Secret secret = secret();
        if (secret == null || secret.getData() == null) {
            return Map.of();
        }
        Map<String, String> out = new java.util.TreeMap<>();
        secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v),
                StandardCharsets.US_ASCII)));
        return out;
    }

    private ValidatingWebhookConfiguration validating() {
        return client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VALIDATING).get();
    }

    private MutatingWebhookConfiguration mutating() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MUTATING).get();
    }

    /** The CAs in each webhook's caBundle, validating webhooks first. */
    private List<List<X509Certificate>> caBundles() {
        List<List<X509Certificate>> out = new ArrayList<>();
        validating().getWebhooks().forEach(w -> out.add(WebhookCaBundle.certificates(w.getClientConfig().getCaBundle())));
        mutating().getWebhooks().forEach(w -> out.add(WebhookCaBundle.certificates(w.getClientConfig().getCaBundle())));
        return out;
    }
}
