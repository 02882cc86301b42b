package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps the ValidatingAdmissionPolicies and bindings Gatekeeper 3.23 generates ([GK] pkg/controller/constrainttemplate
 * manageVAP, pkg/controller/constraint manageVAPB) in step with the templates and constraints: a policy for each
 * loaded template with CEL code whose {@code generateVAP} (else {@code default-create-vap-for-templates}) says so,
 * a binding for each loaded constraint of such a template whose enforcement action (else
 * {@code default-create-vap-binding-for-constraints}) asks for one. Both are owned by their source object, so the
 * API server's garbage collector removes them with it; they are also deleted when no longer wanted. What happened
 * is answered in Gatekeeper's status terms for the controllers to write. Called on the cluster worker thread only.
 */
final class VapGenerator {
    static final ResourceDefinitionContext POLICIES = KubeJson.context("admissionregistration.k8s.io", "v1",
            "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false);
    static final ResourceDefinitionContext BINDINGS = KubeJson.context("admissionregistration.k8s.io", "v1",
            "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false);
    static final String API_DISABLED = "validatingAdmissionPolicy API is not enabled";
    static final String CONDITIONS_NOT_SATISFIED =
            "conditions are not satisfied to generate ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding";

    private static final Logger log = LoggerFactory.getLogger(VapGenerator.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What a template says about policies: no CEL code, generated or not, or why it cannot tell. */
    private record TemplateState(boolean hasCel, boolean generates, String error) {
    }

    /**
     * Additions to a status.byPod entry: errors, and the VAP status field (null: none); {@code retry} when the API
     * server refused a write that may succeed later.
     */
    record Outcome(List<ObjectNode> errors, ObjectNode status, boolean retry) {
        static final Outcome NONE = new Outcome(List.of(), null, false);

        Outcome(List<ObjectNode> errors, ObjectNode status) {
            this(errors, status, false);
        }
    }

    private final Cluster cluster;
    private final boolean policiesByDefault;
    private final boolean bindingsByDefault;
    private final Map<String, TemplateState> byKind = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Boolean apiServed;

    VapGenerator(Cluster cluster, boolean policiesByDefault, boolean bindingsByDefault) {
        this.cluster = cluster;
        this.policiesByDefault = policiesByDefault;
        this.bindingsByDefault = bindingsByDefault;
    }

    /**
     * A template loaded (its CRD applied): applies its policy, or deletes one it should no longer have.
     *
     * @return errors for {@code status.byPod[].errors} and the {@code vapGenerationStatus}
     */
    Outcome templateLoaded(ObjectNode template, String kind) {
        String name = JsonFields.name(template);
        long generation = KubeJson.generation(template);
        boolean generates;
        ObjectNode status = null;
        try {
            generates = VapTransform.generatesPolicy(template, policiesByDefault);
            byKind.put(kind, new TemplateState(true, generates, null));
        } catch (VapTransform.NoCelCode e) {
            generates = false;
            byKind.put(kind, new TemplateState(false, false, null));
        } catch (VapTransform.VapException e) {
            generates = false;
            byKind.put(kind, new TemplateState(true, false, e.getMessage()));
            status = vapStatus("error", generation, "ValidatingAdmissionPolicy is not generated: " + e.getMessage());
        }
        if (!generates) {
            if (apiServed()) {
                delete(POLICIES, VapTransform.policyName(name), null);
            }
            return new Outcome(List.of(), status);
        }
        if (!apiServed()) {
            return new Outcome(List.of(ByPod.error("create_error",
                    "ValidatingAdmissionPolicy resource cannot be generated for ConstraintTemplate: " + API_DISABLED)), null);
        }
        ObjectNode policy;
        try {
            policy = VapTransform.policy(template);
        } catch (VapTransform.VapException e) {
            return new Outcome(List.of(ByPod.error("create_error", "Could not transform to VAP object: " + e.getMessage())),
                    null);
        }
        try {
            cluster.apply().apply(POLICIES, policy);
        } catch (KubernetesClientException e) {
            log.warn("ConstraintTemplate {}: the API server refused ValidatingAdmissionPolicy {}: {}", name,
                    VapTransform.policyName(name), e.getMessage());
            return new Outcome(List.of(ByPod.error("create_error", "Could not create VAP object: " + e.getMessage())), null,
                    true);
        }
        log.info("ConstraintTemplate {}: ValidatingAdmissionPolicy {} applied", name, VapTransform.policyName(name));
        return new Outcome(List.of(), vapStatus("generated", generation, null));
    }

    /** A template went away: its policy goes too (the garbage collector would also remove it). */
    void templateDeleted(String name, String kind) {
        byKind.remove(kind);
        if (apiServed()) {
            delete(POLICIES, VapTransform.policyName(name), null);
        }
    }

    /**
     * A constraint loaded: applies its binding, or deletes one it should no longer have.
     *
     * @return errors for {@code status.byPod[].errors} and its {@code vap.k8s.io} enforcement point status
     */
    Outcome constraintLoaded(ObjectNode constraint) {
        String kind = JsonFields.text(constraint.get("kind"));
        String name = JsonFields.name(constraint);
        long generation = KubeJson.generation(constraint);
        List<String> actions = VapTransform.bindingActions(constraint, bindingsByDefault);
        List<ObjectNode> errors = new ArrayList<>();
        ObjectNode status = null;
        boolean generate = !actions.isEmpty();
        if (generate) {
            TemplateState template = byKind.getOrDefault(kind, new TemplateState(false, false, null));
            if (!apiServed()) {
                errors.add(ByPod.error(null, "cannot generate ValidatingAdmissionPolicyBinding: " + API_DISABLED));
            } else if (!template.hasCel()) {
                status = pointStatus("error", generation, new VapTransform.NoCelCode().getMessage());
            } else if (template.error() != null) {
                errors.add(ByPod.error(null, "could not determine if ConstraintTemplate is configured to generate "
                        + "ValidatingAdmissionPolicy: " + template.error()));
            } else if (!template.generates()) {
                errors.add(ByPod.error(null, "cannot generate ValidatingAdmissionPolicyBinding: " + CONDITIONS_NOT_SATISFIED));
            }
            generate = errors.isEmpty() && status == null;
        }
        String bindingName = VapTransform.bindingName(kind, name);
        if (!generate) {
            if (apiServed()) {
                delete(BINDINGS, bindingName, KubeJson.uid(constraint));
            }
            return new Outcome(errors, status);
        }
        ObjectNode binding;
        try {
            binding = VapTransform.binding(constraint, actions);
        } catch (VapTransform.VapException e) {
            return new Outcome(List.of(ByPod.error(null,
                    "could not transform constraint to ValidatingAdmissionPolicyBinding: " + e.getMessage())), null);
        }
        try {
            cluster.apply().apply(BINDINGS, binding);
        } catch (KubernetesClientException e) {
            log.warn("{} {}: the API server refused ValidatingAdmissionPolicyBinding {}: {}", kind, name, bindingName,
                    e.getMessage());
            // Typically, right after the constraint CRD is created, the API server cannot map the new kind yet for
            // the owner reference ("no matches for kind"): Gatekeeper waits 30 s for this; the caller retries.
            return new Outcome(List.of(ByPod.error(null, "could not create ValidatingAdmissionPolicyBinding: " + bindingName
                    + ": " + e.getMessage())), pointStatus("error", generation, e.getMessage()), true);
        }
        log.info("{} {}: ValidatingAdmissionPolicyBinding {} applied ({})", kind, name, bindingName, actions);
        return new Outcome(List.of(), pointStatus("generated", generation, null));
    }

    /** A constraint went away or no longer loads: its binding goes. */
    void constraintRemoved(String kind, String name, String uid) {
        if (apiServed()) {
            delete(BINDINGS, VapTransform.bindingName(kind, name), uid);
        }
    }

    /**
     * Whether the API server serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicies (GA since 1.30).
     * A definite answer is kept; a failed discovery is asked again next time, as Gatekeeper does.
     */
    private boolean apiServed() {
        if (apiServed != null) {
            return apiServed;
        }
        try {
            APIResourceList resources = cluster.client().getApiResources(VapTransform.API_VERSION);
            apiServed = resources != null && resources.getResources().stream()
                    .anyMatch(r -> POLICIES.getPlural().equals(r.getName()));
            if (!apiServed) {
                log.warn("the API server does not serve {} ValidatingAdmissionPolicies: none are generated",
                        VapTransform.API_VERSION);
            }
            return apiServed;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                apiServed = false;
                return false;
            }
            log.warn("cannot tell whether the API server serves ValidatingAdmissionPolicies: {}", e.getMessage());
            return false;
        }
    }

    /** Deletes the object if it exists and (when ownerUid is given) is owned by that object. */
    private void delete(ResourceDefinitionContext context, String name, String ownerUid) {
        try {
            var resource = cluster.client().genericKubernetesResources(context).withName(name);
            GenericKubernetesResource existing = resource.get();
            if (existing == null) {
                return;
            }
            if (ownerUid != null && existing.getMetadata().getOwnerReferences().stream()
                    .noneMatch(o -> ownerUid.equals(o.getUid()))) {
                return;
            }
            resource.delete();
            log.info("{} {} deleted", context.getKind(), name);
        } catch (KubernetesClientException e) {
            log.warn("cannot delete {} {}: {}", context.getKind(), name, e.getMessage());
        }
    }

    private static ObjectNode vapStatus(String state, long generation, String warning) {
        ObjectNode status = NODES.objectNode().put("state", state).put("observedGeneration", generation);
        if (warning != null) {
            status.put("warning", warning);
        }
        return status;
    }

    private static ObjectNode pointStatus(String state, long generation, String message) {
        ObjectNode status = NODES.objectNode().put("enforcementPoint", VapTransform.ENFORCEMENT_POINT).put("state", state);
        if (message != null) {
            status.put("message", message);
        }
        return status.put("observedGeneration", generation);
    }
}
