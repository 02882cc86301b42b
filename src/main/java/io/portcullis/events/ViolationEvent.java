package io.portcullis.events;

import java.util.Map;

/**
 * One Kubernetes Event about a violation, as Gatekeeper's event recorder writes it: type Warning, in
 * {@code namespace} (Portcullis's own), about {@code involvedObject}, with Gatekeeper's annotations.
 *
 * @param component the event's {@code source.component} (the reporting controller)
 */
public record ViolationEvent(String namespace, InvolvedObject involvedObject, String reason, String message,
        Map<String, String> annotations, String component) {

    public ViolationEvent {
        annotations = Map.copyOf(annotations);
    }

    /**
     * The violating object as Gatekeeper refers to it: kind, name, and the event's namespace; its uid is a
     * synthetic {@code kind/namespace/name/constraintKind/constraintNamespace/constraintName}, so events about one
     * object and constraint correlate.
     */
    public record InvolvedObject(String kind, String name, String namespace, String uid) {

        /** Gatekeeper's {@code getViolationRef} without {@code --*-events-involved-namespace}. */
        public static InvolvedObject of(String eventNamespace, String kind, String namespace, String name,
                String constraintKind, String constraintName) {
            return new InvolvedObject(kind, name, eventNamespace,
                    kind + "/" + namespace + "/" + name + "/" + constraintKind + "//" + constraintName);
        }
    }
}
