package io.portcullis.mutation.profiles;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The known profiles, by kind and name (profiles are cluster-scoped). A later profile replaces an earlier one. */
public final class ProfileCatalog {
    private final Map<String, SecurityProfile> byKey = new HashMap<>();

    public ProfileCatalog(Collection<? extends SecurityProfile> profiles) {
        for (SecurityProfile p : profiles) {
            byKey.put(key(p.kind(), p.name()), p);
        }
    }

    public static ProfileCatalog empty() {
        return new ProfileCatalog(List.of());
    }

    public Optional<SecurityProfile> find(String kind, String name) {
        return Optional.ofNullable(byKey.get(key(kind, name)));
    }

    public Collection<SecurityProfile> all() {
        return byKey.values();
    }

    private static String key(String kind, String name) {
        return kind + "/" + name;
    }
}
