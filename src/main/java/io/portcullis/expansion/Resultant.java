package io.portcullis.expansion;

import tools.jackson.databind.node.ObjectNode;

/**
 * An object an expansion produced (e.g. the Pod of a Deployment), mutated as Gatekeeper mutates it, with the template
 * that made it and that template's enforcement action override ("" for none).
 */
public record Resultant(ObjectNode object, String templateName, String enforcementAction) {
}
