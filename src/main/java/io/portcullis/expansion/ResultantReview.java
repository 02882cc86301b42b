package io.portcullis.expansion;

import java.util.ArrayList;
import java.util.List;

import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.ReviewException;
import io.portcullis.constraint.Validator;
import io.portcullis.match.Matcher;
import tools.jackson.databind.JsonNode;

/**
 * Reviews the resultants of an expansion and reports their violations on the parent, as Gatekeeper aggregates them
 * ([GK] pkg/expansion/aggregate.go): each message prefixed {@code [Implied by TEMPLATE]}, the template's
 * enforcementAction (when set) replacing the constraint's, appended after the parent's own results.
 */
public final class ResultantReview {
    private ResultantReview() {
    }

    /**
     * @param operation the admission operation the resultants are reviewed under ("" in the audit and CLI)
     * @param namespaceObjectShown whether Rego sees {@code namespaceObject} (not under gator's commands)
     */
    public static List<Result> withResultants(List<Result> parentResults, List<Resultant> resultants,
            Validator validator, JsonNode namespace, String operation, EnforcementPoint point,
            boolean namespaceObjectShown) throws InvalidObjectException, ReviewException {
        if (resultants.isEmpty()) {
            return parentResults;
        }
        List<Result> all = new ArrayList<>(parentResults);
        for (Resultant resultant : resultants) {
            Review review = Review.ofObject(resultant.object(), namespace, Matcher.Source.GENERATED);
            review.request().put("operation", operation);
            if (!namespaceObjectShown) {
                review = review.withoutNamespaceObject();
            }
            for (Result r : validator.review(review, point)) {
                all.add(implied(resultant, r));
            }
        }
        return all;
    }

    private static Result implied(Resultant resultant, Result r) {
        String action = resultant.enforcementAction().isEmpty() ? r.enforcementAction() : resultant.enforcementAction();
        List<String> actions = resultant.enforcementAction().isEmpty() ? r.actions() : List.of(action);
        return new Result(r.constraintKind(), r.constraintName(), r.constraint(), action, actions,
                "[Implied by " + resultant.templateName() + "] " + r.msg(), r.details());
    }
}
