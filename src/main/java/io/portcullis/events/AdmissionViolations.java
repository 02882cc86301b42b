package io.portcullis.events;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.portcullis.admission.AdmissionRequest;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Enforcement;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * What Gatekeeper's validation webhook does with each violation besides answering ({@code pkg/webhook/policy.go}):
 * with {@code --log-denies} a log line "denied admission: MSG" with Gatekeeper's fields (for every violation,
 * whatever its action, as Gatekeeper logs them), with {@code --emit-admission-events} a Warning Event per action
 * (reasons FailedAdmission, WarningAdmission, DryrunViolation) placed as {@link EventPlacement} says. Both off: {@link #active}
 * is false and the webhook never calls {@link #report}.
 */
public final class AdmissionViolations {
    private static final Logger log = LoggerFactory.getLogger(AdmissionViolations.class);
    static final String WEBHOOK_NAME = "validation.portcullis.dev";
    static final String COMPONENT = "portcullis-webhook";

    private final boolean logDenies;
    private final EventSink events;
    private final EventPlacement placement;

    /** @param events where Events go, or null when none are emitted */
    public AdmissionViolations(boolean logDenies, EventSink events, EventPlacement placement) {
        this.logDenies = logDenies;
        this.events = events;
        this.placement = placement;
    }

    public boolean active() {
        return logDenies || events != null;
    }

    public void report(AdmissionRequest request, List<Result> results) {
        String resourceName = request.name().isEmpty() ? JsonFields.name(request.subject()) : request.name();
        for (Result result : results) {
            List<String> scoped = Enforcement.SCOPED.equals(result.enforcementAction()) ? result.actions() : List.of();
            Gvk constraint = Gvk.of(result.constraint());
            if (logDenies) {
                logDeny(request, result, constraint, scoped, resourceName);
            }
            if (events != null) {
                emit(request, result, constraint, scoped, resourceName);
            }
        }
    }

    private void logDeny(AdmissionRequest request, Result result, Gvk constraint, List<String> scoped,
            String resourceName) {
        log.atInfo()
                .addKeyValue("process", "admission")
                .addKeyValue("details", result.details())
                .addKeyValue("event_type", "violation")
                .addKeyValue("constraint_name", result.constraintName())
                .addKeyValue("constraint_group", constraint.group())
                .addKeyValue("constraint_api_version", constraint.version())
                .addKeyValue("constraint_kind", result.constraintKind())
                .addKeyValue("constraint_action", result.enforcementAction())
                .addKeyValue("constraint_enforcement_actions", scoped)
                .addKeyValue("resource_group", request.kind().group())
                .addKeyValue("resource_api_version", request.kind().version())
                .addKeyValue("resource_kind", request.kind().kind())
                .addKeyValue("resource_namespace", request.namespace())
                .addKeyValue("resource_name", resourceName)
                .addKeyValue("request_username", request.userInfo().username())
                .log("denied admission: " + result.msg());
    }

    private void emit(AdmissionRequest request, Result result, Gvk constraint, List<String> scoped,
            String resourceName) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("process", "admission");
        annotations.put("event_type", "violation");
        annotations.put("constraint_name", result.constraintName());
        annotations.put("constraint_group", constraint.group());
        annotations.put("constraint_api_version", constraint.version());
        annotations.put("constraint_kind", result.constraintKind());
        annotations.put("constraint_action", result.enforcementAction());
        annotations.put("constraint_enforcement_actions", String.join(",", scoped));
        annotations.put("resource_group", request.kind().group());
        annotations.put("resource_api_version", request.kind().version());
        annotations.put("resource_kind", request.kind().kind());
        annotations.put("resource_namespace", request.namespace());
        annotations.put("resource_name", resourceName);
        annotations.put("request_username", request.userInfo().username());
        // As Gatekeeper: the object's own metadata places the event (a request's namespace may be absent from it).
        JsonNode metadata = request.subject().path("metadata");
        ViolationEvent.InvolvedObject involved = placement.involved(request.kind().kind(),
                JsonFields.text(metadata.path("namespace")), resourceName, JsonFields.text(metadata.path("uid")),
                JsonFields.text(metadata.path("resourceVersion")), result.constraintKind(), result.constraintName());
        for (String action : scoped.isEmpty() ? List.of(result.enforcementAction()) : scoped) {
            String what;
            String reason;
            switch (action) {
                case Enforcement.DRYRUN -> {
                    what = "Dryrun violation";
                    reason = "DryrunViolation";
                }
                case Enforcement.WARN -> {
                    what = "Admission webhook \"" + WEBHOOK_NAME + "\" raised a warning for this request";
                    reason = "WarningAdmission";
                }
                default -> {
                    what = "Admission webhook \"" + WEBHOOK_NAME + "\" denied request";
                    reason = "FailedAdmission";
                }
            }
            events.offer(new ViolationEvent(involved.namespace(), involved, reason,
                    placement.message(what, request.namespace(), result.constraintName(), result.msg()), annotations,
                    COMPONENT));
        }
    }
}
