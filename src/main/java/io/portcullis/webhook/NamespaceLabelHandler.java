package io.portcullis.webhook;

import java.util.List;
import java.util.Map;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.Operation;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/admitlabel}: Gatekeeper's namespace-label webhook ({@code pkg/webhook/namespacelabel.go}). Only an exempt
 * namespace may carry {@value #IGNORE_LABEL}, which takes a namespace out of the other webhooks' namespaceSelector;
 * without this check anyone allowed to label namespaces could switch policy off for one. Needs no policies.
 */
public final class NamespaceLabelHandler implements AdmissionHandler {

    static final String IGNORE_LABEL = "admission.gatekeeper.sh/ignore";

    private final ExemptNamespaces exempt;

    public NamespaceLabelHandler(ExemptNamespaces exempt) {
        this.exempt = exempt;
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        if (request.operation() == Operation.DELETE) {
            return AdmissionResponse.allow("Delete is always allowed");
        }
        if (!request.kind().group().isEmpty() || !request.kind().kind().equals("Namespace")) {
            return AdmissionResponse.allow("Not a namespace");
        }
        JsonNode object = request.object();
        if (!object.isObject() || !object.path("kind").isString() || object.path("kind").asString().isEmpty()) {
            // Gatekeeper fails to decode such an object into an Unstructured and answers its Denied with code 500.
            return new AdmissionResponse(false, new AdmissionResponse.Status(500,
                    "while deserializing resource: Object 'Kind' is missing in '" + object + "'", "Forbidden"),
                    List.of(), null);
        }
        JsonNode metadata = object.path("metadata");
        String name = metadata.path("name").isString() ? metadata.path("name").asString() : "";
        if (exempt.contains(name)) {
            return AdmissionResponse.allow("Namespace " + name + " is allowed to set " + IGNORE_LABEL);
        }
        for (Map.Entry<String, JsonNode> label : metadata.path("labels").properties()) {
            if (label.getKey().equals(IGNORE_LABEL)) {
                return AdmissionResponse.deny("Only exempt namespace can have the " + IGNORE_LABEL + " label",
                        List.of());
            }
        }
        return AdmissionResponse.allow("Namespace is not setting the " + IGNORE_LABEL + " label");
    }
}
