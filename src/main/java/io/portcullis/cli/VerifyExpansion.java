package io.portcullis.cli;

import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.ReviewException;
import io.portcullis.constraint.SuiteExpansion;
import io.portcullis.constraint.Validator;
import io.portcullis.expansion.Expander;
import io.portcullis.expansion.ExpansionException;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.expansion.ResultantReview;
import io.portcullis.json.JsonFields;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Expansion under {@code verify}, as {@code gator verify} does it ([GK] pkg/gator/verify/runner.go): an expander of
 * the test's ExpansionTemplates alone (no mutators, no Namespaces), and each resultant reviewed as the case object
 * is, without a Namespace, at gator's enforcement point, with source Generated; its results come back on the object
 * with {@code [Implied by TEMPLATE] } and the template's enforcementAction, if it sets one.
 */
final class VerifyExpansion implements SuiteExpansion {
    @Override
    public CaseExpansion load(List<ObjectNode> templates) throws ExpansionFailure {
        Expander expander;
        try {
            expander = Expander.of(templates);
        } catch (ExpansionTemplate.InvalidExpansionTemplateException e) {
            throw new ExpansionFailure("error parsing resources: " + e.getMessage());
        }
        return (object, objectResults, validator) -> withResultants(expander, object, null, objectResults, validator);
    }

    /**
     * The object's results and those of what it expands into, reviewed as gator does (no mutators, no operation);
     * {@code gator test} passes the object's Namespace, {@code gator verify} none. The messages are gator's.
     */
    static List<Result> withResultants(Expander expander, ObjectNode object, JsonNode namespace,
            List<Result> objectResults, Validator validator) throws ExpansionFailure {
        try {
            return ResultantReview.withResultants(objectResults, expander.expand(object), validator, namespace, "",
                    EnforcementPoint.GATOR, false);
        } catch (ExpansionException e) {
            throw new ExpansionFailure("expanding resource " + JsonFields.name(object) + ": " + e.getMessage());
        } catch (InvalidObjectException | ReviewException e) {
            throw new ExpansionFailure("reviewing expanded resource of " + JsonFields.describe(object) + ": "
                    + e.getMessage());
        }
    }
}
