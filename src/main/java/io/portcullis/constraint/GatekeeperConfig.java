package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import io.portcullis.match.Wildcard;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Gatekeeper's {@code Config} ({@code config.gatekeeper.sh/v1alpha1}, [GK] apis/config/v1alpha1/config_types.go):
 * which kinds are synced into {@code data.inventory} ({@code spec.sync.syncOnly}) and which namespaces each
 * process ignores ({@code spec.match}). Only the object named {@code config} in Gatekeeper's namespace counts;
 * choosing it is the caller's business.
 *
 * @param syncOnly the GVKs replicated into the inventory
 * @param match the exclusion entries
 * @param traces {@code spec.validation.traces} as given (per-request tracing is not implemented)
 */
public record GatekeeperConfig(List<Gvk> syncOnly, List<Exclusion> match, List<JsonNode> traces) {
    public static final String GROUP = "config.gatekeeper.sh";
    public static final String NAME = "config";

    /** The processes an exclusion can name; {@code *} names all of them. */
    public enum Process {
        AUDIT("audit"), WEBHOOK("webhook"), SYNC("sync"), MUTATION_WEBHOOK("mutation-webhook");

        private final String id;

        Process(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** One {@code spec.match[]} entry: these processes ignore namespaces matching any pattern. */
    public record Exclusion(Set<Process> processes, List<String> excludedNamespaces) {
        public Exclusion {
            processes = Set.copyOf(processes);
            excludedNamespaces = List.copyOf(excludedNamespaces);
        }
    }

    public static final GatekeeperConfig EMPTY = new GatekeeperConfig(List.of(), List.of(), List.of());

    public GatekeeperConfig {
        syncOnly = List.copyOf(syncOnly);
        match = List.copyOf(match);
        traces = List.copyOf(traces);
    }

    public static boolean isConfig(JsonNode object) {
        Gvk gvk = Gvk.of(object);
        return gvk.group().equals(GROUP) && gvk.kind().equals("Config");
    }

    public static GatekeeperConfig parse(JsonNode object) throws InvalidObjectException {
        if (!isConfig(object)) {
            throw new InvalidObjectException("not a " + GROUP + " Config: " + Gvk.of(object));
        }
        JsonNode spec = object.path("spec");
        List<Gvk> sync = new ArrayList<>();
        for (JsonNode entry : spec.path("sync").path("syncOnly")) {
            sync.add(new Gvk(JsonFields.text(entry.path("group")), JsonFields.text(entry.path("version")), JsonFields.text(entry.path("kind"))));
        }
        List<Exclusion> match = new ArrayList<>();
        for (JsonNode entry : spec.path("match")) {
            Set<Process> processes = new LinkedHashSet<>();
            for (JsonNode p : entry.path("processes")) {
                String id = JsonFields.text(p);
                if (id.equals("*")) {
                    processes.addAll(List.of(Process.values()));
                    continue;
                }
                for (Process process : Process.values()) {
                    if (process.id().equals(id)) {
                        processes.add(process);
                    }
                }
            }
            List<String> namespaces = new ArrayList<>();
            entry.path("excludedNamespaces").forEach(n -> namespaces.add(JsonFields.text(n)));
            match.add(new Exclusion(processes, namespaces));
        }
        List<JsonNode> traces = new ArrayList<>();
        spec.path("validation").path("traces").forEach(t -> traces.add(t.deepCopy()));
        return new GatekeeperConfig(sync, match, traces);
    }

    /** Whether objects of this kind are synced into the inventory (versions must match too). */
    public boolean syncs(Gvk gvk) {
        return syncOnly.contains(gvk);
    }

    /** Whether the process ignores this namespace name (patterns are Gatekeeper wildcards; "*" matches ""). */
    public boolean isExcludedNamespace(Process process, String namespace) {
        for (Exclusion e : match) {
            if (e.processes().contains(process)
                    && e.excludedNamespaces().stream().anyMatch(p -> Wildcard.matches(p, namespace))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the process ignores this object: a Namespace is tested by its own name, anything else by
     * {@code namespace} (the request's namespace at the webhook, else the object's own). Cluster-scoped objects
     * test the empty name, which only {@code *} matches.
     */
    public boolean isExcluded(Process process, JsonNode object, String namespace) {
        String tested = JsonFields.isNamespace(object) ? JsonFields.name(object) : namespace != null ? namespace : JsonFields.namespace(object);
        return isExcludedNamespace(process, tested);
    }
}
