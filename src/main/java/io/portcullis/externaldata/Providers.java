package io.portcullis.externaldata;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;

/**
 * Gatekeeper's provider cache: the valid Providers by name, each with its HTTPS client. Fed by the directories
 * (standalone) or the cluster's Providers; read by every evaluation that calls external_data. A Provider whose spec
 * is unchanged keeps its client and connections.
 */
public final class Providers {
    private final KeyManager clientCertificate;
    private final Map<String, ProviderClient> byName = new ConcurrentHashMap<>();
    /** Providers that did not load, as Gatekeeper counts them in gatekeeper_providers{status="error"}. */
    private final Set<String> invalid = ConcurrentHashMap.newKeySet();
    private final AtomicLong rejections = new AtomicLong();

    public Providers(KeyManager clientCertificate) {
        this.clientCertificate = clientCertificate;
    }

    public void upsert(Provider provider) {
        invalid.remove(provider.name());
        byName.compute(provider.name(), (name, existing) -> existing != null && sameSpec(existing.provider(), provider)
                ? existing : new ProviderClient(provider, clientCertificate));
    }

    /**
     * A Provider of this name did not load. As in Gatekeeper (whose provider cache refuses the upsert), a previous
     * good version stays in use; it counts as an error until a good version or its deletion.
     */
    public void reject(String name) {
        invalid.add(name);
        rejections.incrementAndGet();
    }

    public void remove(String name) {
        byName.remove(name);
        invalid.remove(name);
    }

    /** Exactly these Providers from now on, and these names in error (a reload of the directories). */
    public synchronized void replaceAll(Collection<Provider> providers, Collection<String> rejected) {
        Set<String> keep = new TreeSet<>(rejected);
        for (Provider provider : providers) {
            upsert(provider);
            keep.add(provider.name());
        }
        byName.keySet().retainAll(keep);
        invalid.retainAll(Set.copyOf(rejected));
        rejected.forEach(this::reject);
    }

    public int active() {
        return (int) byName.keySet().stream().filter(name -> !invalid.contains(name)).count();
    }

    public int inError() {
        return invalid.size();
    }

    /** How many times a Provider failed to load (gatekeeper_provider_error_count). */
    public long rejections() {
        return rejections.get();
    }

    public Set<String> names() {
        return Set.copyOf(byName.keySet());
    }

    Optional<ProviderClient> client(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    private static boolean sameSpec(Provider a, Provider b) {
        return a.url().equals(b.url()) && a.timeout().equals(b.timeout()) && a.caBundle().equals(b.caBundle());
    }
}
