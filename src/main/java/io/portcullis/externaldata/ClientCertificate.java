package io.portcullis.externaldata;

import io.portcullis.tls.Pem;
import io.portcullis.tls.PemBundle;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client certificate presented to providers: the webhook's own serving certificate, as Gatekeeper presents its
 * own (so a provider can require callers signed by Portcullis's CA). Read from the certificate directory at each
 * handshake when the files have changed, so a rotated certificate is presented without restart. It is offered
 * whatever CAs the provider asks for, as Go's GetClientCertificate does; a provider that does not ask gets none.
 */
public final class ClientCertificate extends X509ExtendedKeyManager {
    private static final Logger log = LoggerFactory.getLogger(ClientCertificate.class);
    private static final String ALIAS = "portcullis-webhook";

    /** A certificate with its key. */
    public record Identity(X509Certificate[] chain, PrivateKey key) {
    }

    private interface Source {
        Identity current();
    }

    private final Source source;

    private ClientCertificate(Source source) {
        this.source = source;
    }

    /** No client certificate (a standalone server without one, or tests). */
    public static ClientCertificate none() {
        return new ClientCertificate(() -> null);
    }

    /** Always this certificate. */
    public static ClientCertificate of(X509Certificate certificate, PrivateKey key) {
        Identity identity = new Identity(new X509Certificate[] {certificate}, key);
        return new ClientCertificate(() -> identity);
    }

    /** {@code tls.crt} and {@code tls.key} of the webhook's certificate directory, re-read when they change. */
    public static ClientCertificate fromDirectory(Path certDir) {
        return new ClientCertificate(new DirectorySource(certDir));
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        Identity identity = source.current();
        if (identity == null) {
            return null;
        }
        String algorithm = identity.key().getAlgorithm();
        for (String keyType : keyTypes) {
            if (keyType.equals(algorithm) || ("EC".equals(algorithm) && keyType.startsWith("EC"))) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClientAlias(keyTypes, issuers, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity identity = source.current();
        return ALIAS.equals(alias) && identity != null ? identity.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity identity = source.current();
        return ALIAS.equals(alias) && identity != null ? identity.key() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return source.current() == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    /** The directory's files, parsed again only when their modification times change. */
    private static final class DirectorySource implements Source {
        private final Path cert;
        private final Path key;
        private List<FileTime> seen;
        private Identity identity;

        DirectorySource(Path dir) {
            this.cert = dir.resolve(PemBundle.CERT);
            this.key = dir.resolve(PemBundle.KEY);
        }

        @Override
        public synchronized Identity current() {
            try {
                List<FileTime> times = List.of(Files.getLastModifiedTime(cert), Files.getLastModifiedTime(key));
                if (!times.equals(seen)) {
                    X509Certificate[] chain = Pem.certificates(Files.readString(cert)).toArray(X509Certificate[]::new);
                    identity = new Identity(chain, Pem.privateKey(Files.readString(key)));
                    seen = times;
                }
            } catch (IOException | GeneralSecurityException e) {
                // Keep presenting the last good one; a provider that requires a certificate refuses us otherwise.
                log.warn("external data: cannot read the client certificate {}: {}", cert, e.getMessage());
            }
            return identity;
        }
    }
}
