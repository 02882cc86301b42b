package io.portcullis.mutation.profiles;

import java.util.Map;

/** The parts of {@code metadata} the profile kinds need. */
public record ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
    public ObjectMeta {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
