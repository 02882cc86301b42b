package io.portcullis.webhook;

import io.portcullis.policy.PortcullisProperties;
import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.Operation;
import io.portcullis.admission.GroupVersionKind;
import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.Gvk;
import io.portcullis.expansion.ExpansionException;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.expansion.Resultant;
import io.portcullis.expansion.ResultantReview;
import io.portcullis.events.AdmissionViolations;
import io.portcullis.events.EventPlacement;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.ReviewException;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.mutation.gatekeeper.Mutators;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PolicySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/admit}: Gatekeeper's validation algorithm (§4.2 of the behaviour notes). In order: our own service
 * account passes; Gatekeeper's own resources are checked as Gatekeeper checks them; namespaces that Config
 * excludes for the webhook, the exempt namespaces and our own namespace pass; then every matching constraint is
 * evaluated and its results are applied: deny lines {@code [name] msg} joined by newlines (403), warn lines as
 * warnings, dryrun nothing.
 */
@Component(AdmissionHandler.VALIDATING)
public class ValidationHandler implements AdmissionHandler {
    private static final Logger log = LoggerFactory.getLogger(ValidationHandler.class);
    private static final Set<String> GATEKEEPER_GROUPS = Set.of("templates.gatekeeper.sh", "constraints.gatekeeper.sh",
            "mutations.gatekeeper.sh", "config.gatekeeper.sh", "externaldata.gatekeeper.sh", "expansion.gatekeeper.sh",
            "status.gatekeeper.sh");
    private static final Set<String> KNOWN_ACTIONS = Set.of("deny", "warn", "dryrun");

    private final ActivePolicies policies;
    private final TemplateCompiler compiler;
    private final String ownServiceAccount;
    private final String ownNamespace;
    private final ExemptNamespaces exemptNamespaces;
    private final AdmissionViolations violations;

    /** Without --log-denies and admission Events. */
    public ValidationHandler(ActivePolicies policies, TemplateCompiler compiler, PortcullisProperties properties) {
        this(policies, compiler, properties, new AdmissionViolations(false, null, new EventPlacement(properties.namespace(), false)));
    }

    @Autowired
    public ValidationHandler(ActivePolicies policies, TemplateCompiler compiler, PortcullisProperties properties,
            AdmissionViolations violations) {
        this.violations = violations;
        this.policies = policies;
        this.compiler = compiler;
        this.ownNamespace = properties.namespace();
        this.ownServiceAccount = properties.ownServiceAccount();
        this.exemptNamespaces = ExemptNamespaces.of(properties);
    }

    @Override
    public boolean needsNoPolicies(AdmissionRequest request) {
        return request.userInfo().username().equals(ownServiceAccount);
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        if (needsNoPolicies(request)) {
            return AdmissionResponse.allow("Portcullis does not self-manage");
        }
        PolicySnapshot snapshot = policies.current();
        if (GATEKEEPER_GROUPS.contains(request.kind().group())) {
            AdmissionResponse refused = checkGatekeeperResource(request, snapshot);
            if (refused != null) {
                return refused;
            }
        }
        if (snapshot.config().isExcluded(GatekeeperConfig.Process.WEBHOOK, request.subject(), request.namespace())) {
            return AdmissionResponse.allow("Namespace is set to be ignored by Gatekeeper config");
        }
        String namespace = isNamespace(request) ? request.name() : request.namespace();
        if (!namespace.isEmpty() && (namespace.equals(ownNamespace) || exemptNamespaces.contains(namespace))) {
            return AdmissionResponse.allow("Namespace " + namespace + " is exempt");
        }

        List<Result> results;
        try {
            // Templates see the request's Namespace as input.review.namespaceObject, as at Gatekeeper's webhook. In
            // a cluster it comes from the synced inventory; standalone, from the data directories.
            JsonNode namespaceObject = request.namespace().isEmpty() || isNamespace(request) ? null
                    : snapshot.validator().inventory().namespace(request.namespace());
            Review review = Review.ofAdmissionRequest(request, namespaceObject);
            results = snapshot.validator().review(review, EnforcementPoint.WEBHOOK);
        } catch (InvalidObjectException | ReviewException e) {
            return AdmissionResponse.errored(500, "error reviewing resource " + request.name() + ": " + e.getMessage());
        }
        // Only when an ExpansionTemplate applies to the kind: no cost for every other object.
        if (!snapshot.expansion().isEmpty() && request.object().isObject()
                && snapshot.expansion().expands(new Gvk(request.kind().group(), request.kind().version(),
                        request.kind().kind()))) {
            try {
                results = withResultants(request, snapshot, results);
            } catch (ExpansionException e) {
                return AdmissionResponse.errored(500, "unable to expand object: " + e.getMessage());
            } catch (InvalidObjectException | ReviewException e) {
                return AdmissionResponse.errored(500, "error reviewing resultant resource: " + e.getMessage());
            }
        }
        if (!results.isEmpty() && violations.active()) {
            // --log-denies, --emit-admission-events: a log line now, Events queued for a thread of their own.
            violations.report(request, results);
        }
        return respond(results);
    }

    /**
     * The parent's results and those of the objects it expands into ([GK] policy.go reviewRequest): the parent is
     * expanded as the request names it (its kind and namespace), resultants reviewed under the request's operation.
     */
    private static List<Result> withResultants(AdmissionRequest request, PolicySnapshot snapshot, List<Result> results)
            throws ExpansionException, InvalidObjectException, ReviewException {
        ObjectNode parent = ((ObjectNode) request.object()).deepCopy();
        GroupVersionKind kind = request.kind();
        parent.put("apiVersion", kind.group().isEmpty() ? kind.version() : kind.group() + "/" + kind.version());
        parent.put("kind", kind.kind());
        if (!request.namespace().isEmpty()) {
            parent.withObjectProperty("metadata").put("namespace", request.namespace());
        }
        JsonNode namespaceObject = request.namespace().isEmpty() ? null
                : snapshot.validator().inventory().namespace(request.namespace());
        List<Resultant> resultants = snapshot.expansion().expand(parent, namespaceObject,
                snapshot.mutation().mutators());
        return ResultantReview.withResultants(results, resultants, snapshot.validator(), namespaceObject,
                request.operation().name(), EnforcementPoint.WEBHOOK, true);
    }

    /** Results are already in Gatekeeper's order (action, then message). */
    static AdmissionResponse respond(List<Result> results) {
        List<String> denies = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Result r : results) {
            if (!KNOWN_ACTIONS.containsAll(r.actions())) {
                log.warn("skipping a result of constraint {} with unknown enforcement actions {}", r.constraintName(), r.actions());
                continue;
            }
            String line = "[" + r.constraintName() + "] " + r.msg();
            if (r.isDeny()) {
                denies.add(line);
            }
            if (r.isWarn()) {
                warnings.add(line);
            }
        }
        if (!denies.isEmpty()) {
            return AdmissionResponse.deny(String.join("\n", denies), warnings);
        }
        return AdmissionResponse.allowWithWarnings(warnings);
    }

    /**
     * Gatekeeper refuses its own resources that would not load (§4.6): a ConstraintTemplate whose Rego does not
     * compile, a constraint whose parameters break its schema, a mutator with a bad location. Null when fine.
     */
    private AdmissionResponse checkGatekeeperResource(AdmissionRequest request, PolicySnapshot snapshot) {
        if (request.operation() == Operation.DELETE || request.operation() == Operation.CONNECT) {
            return null;
        }
        JsonNode object = request.object();
        String name = object.path("metadata").path("name").asString("");
        if (name.length() > 63 && !"status.gatekeeper.sh".equals(request.kind().group())) {
            return AdmissionResponse.errored(500, "resource cannot have metadata.name larger than 63 char; length: " + name.length());
        }
        try {
            switch (request.kind().group()) {
                case "templates.gatekeeper.sh" -> compiler.compile(TemplateParser.parse(object, name));
                case "constraints.gatekeeper.sh" -> snapshot.validator().checkConstraint(object);
                case "mutations.gatekeeper.sh" -> Mutators.parse(object);
                case ExpansionTemplate.GROUP -> {
                    if (ExpansionTemplate.KIND.equals(request.kind().kind())) {
                        ExpansionTemplate.parse(object);
                    }
                }
                case "config.gatekeeper.sh" -> {
                    if ("Config".equals(request.kind().kind()) && !GatekeeperConfig.NAME.equals(name)) {
                        return AdmissionResponse.errored(422, "config resource must have name 'config'");
                    }
                }
                default -> {
                }
            }
        } catch (InvalidTemplateException | ExpansionTemplate.InvalidExpansionTemplateException e) {
            return AdmissionResponse.errored(422, e.getMessage());
        } catch (InvalidConstraintException e) {
            int code = e.reason() == InvalidConstraintException.Reason.ENFORCEMENT_ACTION ? 500 : 422;
            return AdmissionResponse.errored(code, e.getMessage());
        } catch (RuntimeException e) {
            // The mutators' parser reports a bad object as an unchecked exception.
            return AdmissionResponse.errored(422, e.getMessage());
        }
        return null;
    }

    private static boolean isNamespace(AdmissionRequest request) {
        return request.kind().group().isEmpty() && "Namespace".equals(request.kind().kind());
    }
}
