package io.portcullis.constraint;

import io.portcullis.constraint.cel.CelTemplate;
import io.portcullis.constraint.cel.JsonCel;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Gatekeeper's K8sNativeValidation driver ([GK] pkg/drivers/k8scel/driver.go): each selected constraint is
 * evaluated by its template's compiled CEL, with the review's variables converted once for all of them. On DELETE
 * {@code object} is null, as the API server has it for ValidatingAdmissionPolicy (Gatekeeper unsets it too);
 * templates read {@code variables.anyObject} for the object whatever the operation.
 */
final class CelDriver implements Driver {
    static final CelDriver INSTANCE = new CelDriver();

    private CelDriver() {
    }

    @Override
    public String name() {
        return CEL;
    }

    @Override
    public List<Result> query(Review review, List<Selected> selected, EnforcementPoint point) throws ReviewException {
        CelTemplate.Input input = input(review);
        List<Result> results = new ArrayList<>();
        for (Selected s : selected) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ReviewException("the review was cancelled before all templates were evaluated");
            }
            Constraint constraint = s.constraint();
            for (String message : s.template().cel().evaluate(input, JsonCel.of(constraint.object()))) {
                results.add(Validator.result(constraint, point, message, null));
            }
        }
        return results;
    }

    static CelTemplate.Input input(Review review) {
        boolean delete = review.operation().equals("DELETE");
        JsonNode namespace = review.namespaceObject(review.namespace());
        return new CelTemplate.Input(delete ? JsonCel.of(null) : JsonCel.of(review.object()),
                JsonCel.of(review.oldObject()), JsonCel.of(review.request()), JsonCel.of(namespace));
    }
}
