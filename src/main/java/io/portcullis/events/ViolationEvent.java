package io.portcullis.events;

import java.util.Map;

/**
 * One Kubernetes Event about a violation, as Gatekeeper's event recorder writes it: type Warning, in
 * {@code namespace} (Portcullis's own, or the object's: {@link EventPlacement}), about {@code involvedObject}, with
 * Gatekeeper's annotations.
 *
 * @param component the event's {@code source.component} (the reporting controller)
 */
public record ViolationEvent(String namespace, InvolvedObject involvedObject, String reason, String message,
        Map<String, String> annotations, String component) {

    public ViolationEvent {
        annotations = Map.copyOf(annotations);
    }

    /**
     * The violating object as the event refers to it ({@code involvedObject}); see {@link EventPlacement}.
     *
     * @param resourceVersion empty unless the event is about the object itself (in its own namespace)
     */
    public record InvolvedObject(String kind, String name, String namespace, String uid, String resourceVersion) {
    }
}
