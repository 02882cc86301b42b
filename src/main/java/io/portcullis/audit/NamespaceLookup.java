package io.portcullis.audit;

import io.portcullis.json.JsonFields;
import tools.jackson.databind.JsonNode;

/** Finds the Namespace object that a namespaced object under audit lives in. */
@FunctionalInterface
public interface NamespaceLookup {

    /**
     * The Namespace of that name, or null to review the object without one (the validator then falls back to
     * its synced Namespaces).
     *
     * @throws Unavailable when the object must be skipped: Gatekeeper's audit skips objects whose Namespace it
     *     cannot read
     */
    JsonNode find(String name) throws Unavailable;

    /** The Namespace to review the object with: the one its namespace names, none when it names none. */
    default JsonNode forObject(JsonNode object) throws Unavailable {
        String name = JsonFields.namespace(object);
        return name.isEmpty() ? null : find(name);
    }

    /** The Namespace could not be read; the message says why. */
    final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }
}
