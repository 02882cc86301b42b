package io.portcullis.events;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.portcullis.audit.AuditRun;
import io.portcullis.constraint.Enforcement;
import io.portcullis.constraint.Gvk;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Result;
import tools.jackson.databind.JsonNode;

/**
 * Gatekeeper's {@code --emit-audit-events} ({@code emitEvent} in {@code pkg/audit/manager.go}): a Warning Event with
 * reason AuditViolation for each violation the audit finds, placed as {@link EventPlacement} says, with Gatekeeper's
 * annotations ({@code auditTimestamp} is the audit id).
 */
public final class AuditViolationEvents implements AuditRun.ViolationListener {
    static final String COMPONENT = "portcullis-audit";

    private final EventSink events;
    private final EventPlacement placement;

    public AuditViolationEvents(EventSink events, EventPlacement placement) {
        this.events = events;
        this.placement = placement;
    }

    @Override
    public void violation(String auditId, Result result, JsonNode object) {
        Gvk resource = Gvk.of(object);
        Gvk constraint = Gvk.of(result.constraint());
        String namespace = JsonFields.namespace(object);
        String name = JsonFields.name(object);
        List<String> scoped = Enforcement.SCOPED.equals(result.enforcementAction()) ? result.actions() : List.of();
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("process", "audit");
        annotations.put("auditTimestamp", auditId);
        annotations.put("event_type", "violation_audited");
        annotations.put("constraint_group", constraint.group());
        annotations.put("constraint_api_version", constraint.version());
        annotations.put("constraint_kind", result.constraintKind());
        annotations.put("constraint_name", result.constraintName());
        annotations.put("constraint_namespace", "");
        annotations.put("constraint_action", result.enforcementAction());
        annotations.put("constraint_enforcement_actions", String.join(",", scoped));
        annotations.put("resource_group", resource.group());
        annotations.put("resource_api_version", resource.version());
        annotations.put("resource_kind", resource.kind());
        annotations.put("resource_namespace", namespace);
        annotations.put("resource_name", name);
        JsonNode metadata = object.path("metadata");
        ViolationEvent.InvolvedObject involved = placement.involved(resource.kind(), namespace, name,
                metadata.path("uid").asString(""), metadata.path("resourceVersion").asString(""),
                result.constraintKind(), result.constraintName());
        events.offer(new ViolationEvent(involved.namespace(), involved, "AuditViolation",
                placement.message(null, namespace, result.constraintName(), result.msg()), annotations, COMPONENT));
    }
}
