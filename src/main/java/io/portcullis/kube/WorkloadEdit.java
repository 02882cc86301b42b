package io.portcullis.kube;

import io.portcullis.kube.write.ObjectWriter;
import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What brings one object's {@code status.activeWorkloads} and its finalizer to what the pods say, one change at a
 * time for the {@link ObjectWriter}: the finalizer is added before the status lists anyone and removed after the
 * list is empty, so an object that lists pods is always protected. Nothing when the object already agrees.
 */
final class WorkloadEdit {
    private WorkloadEdit() {
    }

    /** Whether the object, as last seen, differs from what it should be. */
    static boolean differs(JsonNode object, String finalizer, List<String> workloads) {
        return !activeWorkloads(object).equals(workloads)
                || finalizers(object).contains(finalizer) == workloads.isEmpty();
    }

    /** The object lists exactly these pods (sorted) and carries the finalizer while the list is not empty. */
    static ObjectWriter.Edit of(String finalizer, List<String> workloads) {
        return current -> {
            List<String> finalizers = finalizers(current);
            boolean deleting = current.path("metadata").hasNonNull("deletionTimestamp");
            // The API server refuses new finalizers on an object being deleted: its status is still kept up to date.
            if (!workloads.isEmpty() && !finalizers.contains(finalizer) && !deleting) {
                List<String> next = new ArrayList<>(finalizers);
                next.add(finalizer);
                return ObjectWriter.Change.finalizers(next);
            }
            if (!activeWorkloads(current).equals(workloads)) {
                ObjectNode next = current.path("status") instanceof ObjectNode s ? s.deepCopy()
                        : JsonNodeFactory.instance.objectNode();
                if (workloads.isEmpty()) {
                    next.remove("activeWorkloads");
                } else {
                    ArrayNode list = next.putArray("activeWorkloads");
                    workloads.forEach(list::add);
                }
                return ObjectWriter.Change.status(next);
            }
            if (workloads.isEmpty() && finalizers.contains(finalizer)) {
                List<String> next = new ArrayList<>(finalizers);
                next.remove(finalizer);
                return ObjectWriter.Change.finalizers(next);
            }
            return null;
        };
    }

    static List<String> activeWorkloads(JsonNode object) {
        return JsonFields.strings(object.path("status"), "activeWorkloads");
    }

    static List<String> finalizers(JsonNode object) {
        return JsonFields.strings(object.path("metadata"), "finalizers");
    }
}
