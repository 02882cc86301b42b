package io.portcullis.constraint;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a Suite test's {@code expansion:} file does to its cases under {@code gator verify}: the objects a case object
 * expands into (a Deployment's Pod, ...) are reviewed too, and their results count with the object's own. The
 * {@link SuiteRunner}'s caller supplies it, so that {@code constraint} does not depend on {@code expansion}, which
 * depends on {@code constraint}.
 */
public interface SuiteExpansion {
    /** For a runner that does not expand: a test naming an expansion file fails, as before expansion existed. */
    SuiteExpansion UNSUPPORTED = templates -> {
        throw new ExpansionFailure("expansion templates are not supported");
    };

    /**
     * The expansion of one test, from the ExpansionTemplates of its file (already checked to be nothing else).
     *
     * @throws ExpansionFailure the templates do not load
     */
    CaseExpansion load(List<ObjectNode> templates) throws ExpansionFailure;

    /** One test's ExpansionTemplates, applied to each of its cases. */
    @FunctionalInterface
    interface CaseExpansion {
        /**
         * The object's results followed by those of its resultants, each reviewed by the validator at gator's
         * enforcement point and reported on the object (message prefix {@code [Implied by TEMPLATE] }).
         *
         * @throws ExpansionFailure the object cannot be expanded, or a resultant cannot be reviewed
         */
        List<Result> withResultants(ObjectNode object, List<Result> objectResults, Validator validator)
                throws ExpansionFailure;
    }

    /** Why a test's expansion could not be loaded or a case object not expanded, in gator's words. */
    final class ExpansionFailure extends Exception {
        public ExpansionFailure(String message) {
            super(message);
        }
    }
}
