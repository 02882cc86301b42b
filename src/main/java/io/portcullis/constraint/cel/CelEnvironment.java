package io.portcullis.constraint.cel;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;

/**
 * The CEL environment of Gatekeeper's K8sNativeValidation driver, as the API server's base environment builds it
 * for ValidatingAdmissionPolicy ([K8S] apiserver/pkg/cel/environment/base.go): the standard library and macros,
 * cross-type numeric comparisons, homogeneous literals, optional values, the string (v2), set, list and
 * two-variable comprehension extensions of dev.cel, and the Kubernetes libraries of {@link KubeLibrary}.
 *
 * <p>The variables Gatekeeper binds ([GK] pkg/drivers/k8scel): {@code object}, {@code oldObject},
 * {@code request}, {@code params} (the constraint), {@code namespaceObject} and {@code variables}. Objects have
 * no schema here (as for Gatekeeper, which sees unstructured objects), so they are {@code dyn}. One instance,
 * immutable and thread-safe, serves every template.
 */
final class CelEnvironment {
    static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableHomogeneousLiterals(true)
            .enableOptionalSyntax(true)
            .build();
    static final Cel CEL = build();

    private CelEnvironment() {
    }

    private static Cel build() {
        return CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.lists(),
                        CelExtensions.optional(), CelExtensions.comprehensions(), CelExtensions.regex())
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.lists(),
                        CelExtensions.optional(), CelExtensions.comprehensions(), CelExtensions.regex())
                .addFunctionDeclarations(KubeLibrary.declarations())
                .addFunctionBindings(KubeLibrary.bindings())
                .addFunctionDeclarations(NullPresenceTests.declaration())
                .addFunctionBindings(NullPresenceTests.binding())
                .addVar(CelTemplate.OBJECT, SimpleType.DYN)
                .addVar(CelTemplate.OLD_OBJECT, SimpleType.DYN)
                .addVar(CelTemplate.REQUEST, SimpleType.DYN)
                .addVar(CelTemplate.PARAMS, SimpleType.DYN)
                .addVar(CelTemplate.NAMESPACE_OBJECT, SimpleType.DYN)
                .addVar(CelTemplate.VARIABLES, MapType.create(SimpleType.STRING, SimpleType.DYN))
                .build();
    }
}
