package io.portcullis.engine.builtins;

import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The builtins the host provides to OPA wasm modules, by name. OPA's wasm runtime implements about 94 builtins
 * itself; a module imports the rest (env.opa_builtinN) and lists them in its builtins() export, and the engine
 * looks each name up here, failing the load for a name that is missing rather than the evaluation.
 */
public final class HostBuiltins {
    private final Map<String, HostBuiltin> byName;

    private HostBuiltins(Map<String, HostBuiltin> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Every builtin this package implements, with the system clock and print() output discarded. */
    public static HostBuiltins standard() {
        return standard(InstantSource.system(), line -> {});
    }

    /**
     * Every builtin this package implements.
     *
     * @param clock what time.now_ns reads
     * @param printSink receives each line Rego's print() writes
     */
    public static HostBuiltins standard(InstantSource clock, Consumer<String> printSink) {
        Map<String, HostBuiltin> all = new LinkedHashMap<>();
        for (HostBuiltin b : new HostBuiltin[] {
            Sprintf.builtin(), AffixMatch.prefix(), AffixMatch.suffix(),
            StringBuiltins.count(), StringBuiltins.indexOfN(), StringBuiltins.globQuoteMeta(),
            StringBuiltins.replace(), StringBuiltins.replaceN(),
            Units.parse(), Units.parseBytes(),
            RegexBuiltins.split(), RegexBuiltins.replace(), RegexBuiltins.findN(),
            ObjectSubset.builtin(), RangeStep.builtin(), Semver.compare(), Semver.isValid(),
            TimeBuiltins.nowNs(clock), TimeBuiltins.parseRfc3339Ns(),
            DebugBuiltins.trace(), DebugBuiltins.print(printSink),
        }) {
            if (all.put(b.name(), b) != null) {
                throw new IllegalStateException("builtin registered twice: " + b.name());
            }
        }
        return new HostBuiltins(all);
    }

    /** These builtins and one more, implemented elsewhere (external_data, which the engine wires to providers). */
    public HostBuiltins with(HostBuiltin extra) {
        Map<String, HostBuiltin> all = new LinkedHashMap<>(byName);
        if (all.put(extra.name(), extra) != null) {
            throw new IllegalStateException("builtin registered twice: " + extra.name());
        }
        return new HostBuiltins(all);
    }

    public Optional<HostBuiltin> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
