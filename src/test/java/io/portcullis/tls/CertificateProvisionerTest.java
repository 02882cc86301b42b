package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateProvisionerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private final CertificateProvisioner provisioner = new CertificateProvisioner(new CertificateIssuer());
    private final CertificateSpec spec = CertificateSpec.defaults("policy");

    private PemDirectoryStore store() {
        return new PemDirectoryStore(dir);
    }

    @Test
    void firstStartGeneratesCaAndServingCertificateWithEverySan() throws Exception {
        CertificateProvisioner.Result result = provisioner.ensure(store(), spec, NOW);

        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        X509Certificate cert = Pem.certificate(Files.readString(dir.resolve("tls.crt")));
        assertThat(sans(cert)).containsExactlyInAnyOrder(
                "localhost", "portcullis", "portcullis.policy", "portcullis.policy.svc",
                "portcullis.policy.svc.cluster.local", "127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=portcullis.policy.svc");
        // serverAuth, and clientAuth for mTLS to external data providers
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
                .isGreaterThanOrEqualTo(Duration.ofDays(365));

        X509Certificate ca = Pem.certificate(Files.readString(dir.resolve("ca.crt")));
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getNotAfter().toInstant()).isAfter(NOW.plus(Duration.ofDays(3649)));
        assertChainsTo(cert, ca);
    }

    @Test
    void keysAreOwnerOnlyAndCertificatesReadable() throws Exception {
        provisioner.ensure(store(), spec, NOW);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.crt"))))
                .isEqualTo("rw-r--r--");
        assertThat(Files.readString(dir.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("ca.crt", "ca.key", "tls.crt", "tls.key");
        }
    }

    @Test
    void validCertificatesAreReusedUntouched() throws Exception {
        provisioner.ensure(store(), spec, NOW);
        PemBundle before = store().load();
        var modified = Files.getLastModifiedTime(dir.resolve("tls.crt"));

        CertificateProvisioner.Result again = provisioner.ensure(store(), spec, NOW.plus(Duration.ofDays(200)));

        assertThat(again.action()).isEqualTo(CertificateProvisioner.Action.REUSED);
        assertThat(store().load()).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(dir.resolve("tls.crt"))).isEqualTo(modified);
        assertThat(again.certificates().certificate()).isEqualTo(Pem.certificate(before.certificate()));
    }

    @Test
    void missingSanReissuesServingCertificateFromTheSameCa() throws Exception {
        provisioner.ensure(store(), spec, NOW);
        PemBundle before = store().load();
        CertificateSpec wider = new CertificateSpec("policy", "portcullis", List.of("webhook.example.com", "10.1.2.3"),
                KeyAlgorithm.EC_P256, spec.caValidity(), spec.servingValidity(), spec.renewBefore());

        CertificateProvisioner.Result result = provisioner.ensure(store(), wider, NOW);

        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.REISSUED);
        assertThat(result.reason()).contains("lacks SANs").contains("webhook.example.com").contains("10.1.2.3");
        PemBundle after = store().load();
        assertThat(after.caCertificate()).isEqualTo(before.caCertificate());
        assertThat(after.certificate()).isNotEqualTo(before.certificate());
        X509Certificate cert = Pem.certificate(after.certificate());
        assertThat(sans(cert)).contains("webhook.example.com", "10.1.2.3", "localhost");
        assertChainsTo(cert, Pem.certificate(before.caCertificate()));
    }

    @Test
    void otherNamespaceIsAMissingSan() {
        provisioner.ensure(store(), spec, NOW);
        CertificateProvisioner.Result result = provisioner.ensure(store(), CertificateSpec.defaults("elsewhere"), NOW);
        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.REISSUED);
        assertThat(result.reason()).contains("portcullis.elsewhere.svc");
    }

    @Test
    void servingCertificateNearExpiryIsRenewed() {
        provisioner.ensure(store(), spec, NOW);
        // 1 year validity, renewed 90 days before the end.
        Instant late = NOW.plus(Duration.ofDays(365 - 80));
        CertificateProvisioner.Result result = provisioner.ensure(store(), spec, late);
        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.REISSUED);
        assertThat(result.reason()).contains("tls.crt expires soon");
        assertThat(result.certificates().certificate().getNotAfter().toInstant())
                .isAfter(late.plus(Duration.ofDays(364)));
    }

    @Test
    void expiredCaMeansANewCa() throws Exception {
        provisioner.ensure(store(), spec, NOW);
        String oldCa = store().load().caCertificate();
        CertificateProvisioner.Result result = provisioner.ensure(store(), spec, NOW.plus(Duration.ofDays(3700)));
        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        assertThat(result.reason()).contains("ca.crt expired");
        assertThat(store().load().caCertificate()).isNotEqualTo(oldCa);
        assertChainsTo(result.certificates().certificate(), result.certificates().ca());
    }

    @Test
    void servingCertificateOfAnotherCaIsReplaced() throws Exception {
        provisioner.ensure(store(), spec, NOW);
        PemBundle mine = store().load();
        Path other = Files.createTempDirectory(dir.getParent(), "other");
        provisioner.ensure(new PemDirectoryStore(other), spec, NOW);
        PemBundle foreign = new PemDirectoryStore(other).load();
        store().save(new PemBundle(mine.caCertificate(), mine.caKey(), foreign.certificate(), foreign.key()));

        CertificateProvisioner.Result result = provisioner.ensure(store(), spec, NOW);

        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.REISSUED);
        assertThat(result.reason()).isEqualTo("tls.crt is not signed by ca.crt");
        assertChainsTo(Pem.certificate(store().load().certificate()), Pem.certificate(mine.caCertificate()));
    }

    @Test
    void keyThatDoesNotMatchIsReplaced() {
        provisioner.ensure(store(), spec, NOW);
        PemBundle pem = store().load();
        store().save(new PemBundle(pem.caCertificate(), pem.caKey(), pem.certificate(), pem.caKey()));
        CertificateProvisioner.Result result = provisioner.ensure(store(), spec, NOW);
        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.REISSUED);
        assertThat(result.reason()).isEqualTo("tls.key does not belong to tls.crt");
    }

    @Test
    void withoutTheCaKeyAnUnfitCertificateMeansANewCa() throws Exception {
        provisioner.ensure(store(), spec, NOW);
        Files.delete(dir.resolve("ca.key"));
        CertificateProvisioner.Result result = provisioner.ensure(store(), CertificateSpec.defaults("other"), NOW);
        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        assertThat(result.reason()).contains("ca.key is not available");
    }

    @Test
    void garbageFilesAreReplaced() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "not a certificate");
        CertificateProvisioner.Result result = provisioner.ensure(store(), spec, NOW);
        assertThat(result.action()).isEqualTo(CertificateProvisioner.Action.GENERATED);
        assertThat(result.reason()).startsWith("ca.crt is unreadable");
        assertThat(Pem.certificate(Files.readString(dir.resolve("ca.crt"))).getBasicConstraints())
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void verifyOnlyAcceptsFitCertificatesAndNeverWrites() throws Exception {
        assertThatThrownBy(() -> provisioner.verify(store(), spec, NOW))
                .hasMessageContaining("cannot be used: no ca.crt found");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        provisioner.ensure(store(), spec, NOW);
        assertThat(provisioner.verify(store(), spec, NOW).certificate().getSubjectX500Principal().getName())
                .contains("portcullis.policy.svc");
        assertThatThrownBy(() -> provisioner.verify(store(), CertificateSpec.defaults("x"), NOW))
                .hasMessageContaining("lacks SANs");
    }

    @Test
    void rsaKeysOnRequest() throws Exception {
        CertificateSpec rsa = new CertificateSpec("policy", "portcullis", List.of(), KeyAlgorithm.RSA_2048,
                spec.caValidity(), spec.servingValidity(), spec.renewBefore());
        CertificateSet set = provisioner.ensure(store(), rsa, NOW).certificates();
        assertThat(set.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(set.ca().getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertChainsTo(set.certificate(), set.ca());
        assertThat(provisioner.ensure(store(), rsa, NOW).action()).isEqualTo(CertificateProvisioner.Action.REUSED);
    }

    @Test
    void caBundleIsTheBase64OfTheCaPem() throws Exception {
        CertificateSet set = provisioner.ensure(store(), spec, NOW).certificates();
        String decoded = new String(java.util.Base64.getDecoder().decode(CertificateBootstrap.caBundle(set)));
        assertThat(decoded).isEqualTo(Files.readString(dir.resolve("ca.crt")));
    }

    static Set<String> sans(X509Certificate cert) throws Exception {
        return cert.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString())
                .collect(Collectors.toSet());
    }

    /** PKIX validation, as a TLS client does, at a time inside both validity periods. */
    static void assertChainsTo(X509Certificate cert, X509Certificate ca) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(cert.getNotBefore().toInstant().plus(Duration.ofHours(2))));
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
    }
}
