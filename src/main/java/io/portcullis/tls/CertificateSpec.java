package io.portcullis.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the serving certificate must be valid for, and how long generated certificates live.
 *
 * <p>The names cover every way the webhook is reached: {@code localhost} and the loopback addresses when run
 * standalone, and the in-cluster Service {@code <serviceName>} in {@code <namespace>} under each DNS form the
 * API server may use. {@code extraSans} adds more; entries that parse as IP literals become IP SANs.
 *
 * @param renewBefore a certificate is replaced once it has less than this left (capped at half its validity,
 *                    so a short-lived certificate is not replaced on every start)
 */
public record CertificateSpec(
        String namespace,
        String serviceName,
        List<String> extraSans,
        KeyAlgorithm keyAlgorithm,
        Duration caValidity,
        Duration servingValidity,
        Duration renewBefore) {

    public static final String DEFAULT_SERVICE_NAME = "portcullis";
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_SERVING_VALIDITY = Duration.ofDays(365);
    /** As cert-controller does for Gatekeeper: 90 days before expiry. */
    public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(90);

    public CertificateSpec {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(serviceName, "serviceName");
        extraSans = List.copyOf(extraSans);
        Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
        requirePositive(caValidity, "caValidity");
        requirePositive(servingValidity, "servingValidity");
        Objects.requireNonNull(renewBefore, "renewBefore");
        if (namespace.isBlank() || serviceName.isBlank()) {
            throw new IllegalArgumentException("namespace and service name must not be blank");
        }
    }

    public static CertificateSpec defaults(String namespace) {
        return new CertificateSpec(namespace, DEFAULT_SERVICE_NAME, List.of(), KeyAlgorithm.EC_P256,
                DEFAULT_CA_VALIDITY, DEFAULT_SERVING_VALIDITY, DEFAULT_RENEW_BEFORE);
    }

    /** The common name of the serving certificate: the Service's cluster-local name. */
    public String serviceHost() {
        return serviceName + "." + namespace + ".svc";
    }

    public Set<String> dnsNames() {
        Set<String> names = new LinkedHashSet<>(List.of(
                "localhost",
                serviceName,
                serviceName + "." + namespace,
                serviceHost(),
                serviceHost() + ".cluster.local"));
        for (String san : extraSans) {
            if (!isIpLiteral(san)) {
                names.add(san);
            }
        }
        return names;
    }

    public Set<InetAddress> ipAddresses() {
        List<String> literals = new ArrayList<>(List.of("127.0.0.1", "::1"));
        extraSans.stream().filter(CertificateSpec::isIpLiteral).forEach(literals::add);
        Set<InetAddress> out = new LinkedHashSet<>();
        for (String literal : literals) {
            out.add(ipLiteral(literal));
        }
        return out;
    }

    Duration renewalWindow(Duration validity) {
        Duration half = validity.dividedBy(2);
        return renewBefore.compareTo(half) > 0 ? half : renewBefore;
    }

    static boolean isIpLiteral(String s) {
        // Only strings made of address characters are handed to InetAddress, so it never does a DNS lookup.
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9A-Fa-f:.]+"));
    }

    private static InetAddress ipLiteral(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
