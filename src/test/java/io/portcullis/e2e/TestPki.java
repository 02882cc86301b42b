package io.portcullis.e2e;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import io.portcullis.tls.Pem;

/**
 * A throwaway certificate authority for tests: CA, serving and client certificates (EC P-256, valid one day),
 * as Kubernetes components want them. Client certificates carry the user in CN and groups in O, which is how
 * kube-apiserver's x509 authenticator reads them.
 */
public final class TestPki {

    /** A certificate with its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {

        public String certificatePem() {
            return Pem.encode(certificate);
        }

        /** The key as {@code BEGIN EC PRIVATE KEY} (SEC1): fabric8 reads EC keys only in that form. */
        public String keyPem() {
            return pem(key);
        }

        /** Writes {@code name.crt} and {@code name.key} (0600) into dir. */
        public void write(Path dir, String name) {
            writeFile(dir.resolve(name + ".crt"), certificatePem(), false);
            writeFile(dir.resolve(name + ".key"), keyPem(), true);
        }

        /** A TLS context presenting this certificate and trusting only the given CA. */
        public SSLContext sslContext(X509Certificate trusted) {
            try {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("key", key, new char[0], new Certificate[] {certificate});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), trustManagers(trusted), new SecureRandom());
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build a TLS context", e);
            }
        }
    }

    private static final Duration VALIDITY = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Issued ca;

    private TestPki(Issued ca) {
        this.ca = ca;
    }

    /** A new CA named {@code CN=commonName}. */
    public static TestPki newCa(String commonName) {
        KeyPair pair = keyPair();
        X500Name subject = name(commonName, List.of());
        X509v3CertificateBuilder builder = builder(subject, subject, pair);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestPki(new Issued(sign(builder, pair.getPrivate()), pair.getPrivate()));
    }

    public Issued ca() {
        return ca;
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** A serving certificate (serverAuth) for the given DNS names and IP addresses. */
    public Issued server(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        List<GeneralName> sans = new ArrayList<>();
        dnsNames.forEach(dns -> sans.add(new GeneralName(GeneralName.dNSName, dns)));
        ipAddresses.forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, literal(ip))));
        return leaf(name(commonName, List.of()), KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(sans.toArray(GeneralName[]::new)));
    }

    /** A client certificate (clientAuth) for user {@code commonName} in the given groups. */
    public Issued client(String commonName, List<String> groups) {
        return leaf(name(commonName, groups), KeyPurposeId.id_kp_clientAuth, null);
    }

    /** A bare key pair (EC P-256), e.g. for signing service account tokens. */
    public static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC key", e);
        }
    }

    /**
     * A key as PEM in OpenSSL's traditional form: {@code BEGIN PUBLIC KEY} for a public key, {@code BEGIN EC
     * PRIVATE KEY} for an EC private key.
     */
    public static String pem(java.security.Key key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (key instanceof java.security.interfaces.ECPrivateKey) {
                // The JDK's encoding leaves the curve out of the inner SEC1 structure (it sits in the PKCS#8
                // wrapper); Go and OpenSSL need it there.
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                ECPrivateKey sec1 = new ECPrivateKey(256, ECPrivateKey.getInstance(info.parsePrivateKey()).getKey(),
                        info.getPrivateKeyAlgorithm().getParameters());
                writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
                writer.flush();
                return out.toString();
            }
            writer.writeObject(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static void writeFile(Path path, String text, boolean secret) {
        try {
            Files.writeString(path, text);
            if (secret) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    static javax.net.ssl.TrustManager[] trustManagers(X509Certificate trusted) throws GeneralSecurityException,
            IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    private Issued leaf(X500Name subject, KeyPurposeId purpose, GeneralNames sans) {
        KeyPair pair = keyPair();
        X509v3CertificateBuilder builder = builder(X500Name.getInstance(
                ca.certificate().getSubjectX500Principal().getEncoded()), subject, pair);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (sans != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, sans);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Issued(sign(builder, ca.key()), pair.getPrivate());
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        // Backdated a little: the API server and this JVM read the same clock, but certificates made in the
        // same second as a handshake should not depend on rounding.
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }

    private static X500Name name(String commonName, List<String> organizations) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        organizations.forEach(o -> name.addRDN(BCStyle.O, o));
        return name.addRDN(BCStyle.CN, commonName).build();
    }

    private static String literal(String ip) {
        try {
            return InetAddress.getByName(ip).getHostAddress(); // a literal never resolves through DNS
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }
}
