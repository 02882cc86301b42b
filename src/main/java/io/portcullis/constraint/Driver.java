package io.portcullis.constraint;

import java.util.List;

/**
 * A language driver: what evaluates the constraints of the templates written in its language, as the constraint
 * framework's {@code drivers.Driver} ([FW] constraint/pkg/client/drivers/interface.go). The {@link Validator}
 * matches constraints itself, groups the selected ones by the driver of their template and queries each driver
 * once per review, as the framework's {@code Client.review} does.
 *
 * <p>Gatekeeper registers the CEL driver before the Rego driver, so a template with both runs its CEL
 * ({@code driverForTemplate}); with the CEL driver switched off ({@code --enable-k8s-native-validation=false})
 * it runs its Rego, and a CEL-only template is refused.
 */
interface Driver {
    String CEL = "K8sNativeValidation";
    String REGO = "Rego";

    String name();

    /** The violations of the selected constraints (all of templates this driver runs) for one review. */
    List<Result> query(Review review, List<Selected> selected, EnforcementPoint point) throws ReviewException;

    /** A constraint selected for the review, with its template. */
    record Selected(CompiledTemplate template, Constraint constraint) {
    }
}
