package io.portcullis.events;

/**
 * Where a violation Event goes and what it refers to: Gatekeeper's {@code getViolationRef} and message formats, with
 * or without {@code --admission-events-involved-namespace} / {@code --audit-events-involved-namespace}.
 *
 * <ul>
 * <li>Off (the default): the event goes into Portcullis's namespace, refers to the object by kind and name with a
 *     synthetic uid {@code kind/namespace/name/constraintKind/constraintNamespace/constraintName} (so events about
 *     one object and constraint correlate), and its message names the object's namespace.</li>
 * <li>On: the event goes into the object's own namespace (Portcullis's for a cluster-scoped object) and refers to
 *     the object itself, with its uid and resourceVersion when it has both (an object being created has neither);
 *     the message leaves the namespace out, as the event's namespace says it.</li>
 * </ul>
 *
 * @param ownNamespace      Portcullis's namespace
 * @param inObjectNamespace the involved-namespace option
 */
public record EventPlacement(String ownNamespace, boolean inObjectNamespace) {

    public ViolationEvent.InvolvedObject involved(String kind, String namespace, String name, String uid,
            String resourceVersion, String constraintKind, String constraintName) {
        if (!inObjectNamespace) {
            return new ViolationEvent.InvolvedObject(kind, name, ownNamespace,
                    kind + "/" + namespace + "/" + name + "/" + constraintKind + "//" + constraintName, "");
        }
        String eventNamespace = namespace.isEmpty() ? ownNamespace : namespace;
        boolean identified = !uid.isEmpty() && !resourceVersion.isEmpty();
        return new ViolationEvent.InvolvedObject(kind, name, eventNamespace, identified ? uid : "",
                identified ? resourceVersion : "");
    }

    /**
     * The event's message: {@code [what, ]Resource Namespace: ns, Constraint: c, Message: m}, without the namespace
     * part when the event is in the object's namespace.
     *
     * @param what the admission webhook's lead ("Admission webhook ... denied request"), or null (audit)
     */
    public String message(String what, String resourceNamespace, String constraintName, String msg) {
        String lead = what == null ? "" : what + ", ";
        String where = inObjectNamespace ? "" : "Resource Namespace: " + resourceNamespace + ", ";
        return lead + where + "Constraint: " + constraintName + ", Message: " + msg;
    }
}
