package io.portcullis.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM text to and from JCA objects. Keys are written as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
public final class Pem {

    private Pem() {
    }

    public static String encode(X509Certificate certificate) {
        return write(certificate);
    }

    public static String encode(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalArgumentException("cannot encode private key", e);
        }
    }

    /** All certificates in the text, in order; fails when there is none. */
    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        List<X509Certificate> out = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                .stream()
                .map(X509Certificate.class::cast)
                .toList();
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate found");
        }
        return out;
    }

    public static X509Certificate certificate(String pem) throws GeneralSecurityException {
        return certificates(pem).getFirst();
    }

    /** Reads a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) private key. */
    public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new GeneralSecurityException("no unencrypted private key found");
        } catch (IOException e) {
            throw new GeneralSecurityException("unreadable private key: " + e.getMessage(), e);
        }
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
