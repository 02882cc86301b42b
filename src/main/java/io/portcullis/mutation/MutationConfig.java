package io.portcullis.mutation;

import io.portcullis.mutation.gatekeeper.Mutator;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.ProfileCatalog;
import io.portcullis.mutation.profiles.SecurityProfile;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Everything mutation is configured with: SPO profiles and ProfileBindings, and Gatekeeper mutators (ordered, with
 * their schema conflicts worked out once here). Immutable; build a new one when the cluster's objects change.
 *
 * @param namespaces Namespace objects by name, for callers without a cluster to read them from (the CLI)
 */
public record MutationConfig(ProfileCatalog profiles, List<ProfileBinding> bindings, MutatorSystem mutators,
                             Map<String, JsonNode> namespaces) {
    public static final MutationConfig EMPTY = of(List.of(), List.of(), List.of());

    public MutationConfig {
        bindings = List.copyOf(bindings);
        namespaces = Map.copyOf(namespaces);
    }

    public static MutationConfig of(Collection<? extends SecurityProfile> profiles, Collection<ProfileBinding> bindings,
                                    Collection<Mutator> mutators) {
        return new MutationConfig(new ProfileCatalog(profiles), List.copyOf(bindings), new MutatorSystem(mutators), Map.of());
    }
}
