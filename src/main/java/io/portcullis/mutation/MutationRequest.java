package io.portcullis.mutation;

import tools.jackson.databind.JsonNode;

/**
 * The parts of an admission request mutation needs.
 *
 * @param operation       CREATE, UPDATE, DELETE or CONNECT; null outside an admission request (CLI, audit), which
 *                        lets only mutators apply that cover every operation, and binds no profiles
 * @param namespace       {@code request.namespace}; empty or null for cluster-scoped objects
 * @param namespaceObject the Namespace object of {@code namespace} (its labels decide SPO's opt-in and
 *                        {@code namespaceSelector}s); null when there is none or it could not be read
 * @param object          {@code request.object}
 * @param username        {@code request.userInfo.username} (an external data Assign may send it); empty when none
 */
public record MutationRequest(String operation, String namespace, JsonNode namespaceObject, JsonNode object,
        String username) {

    public MutationRequest {
        username = username == null ? "" : username;
    }

    public MutationRequest(String operation, String namespace, JsonNode namespaceObject, JsonNode object) {
        this(operation, namespace, namespaceObject, object, "");
    }
}
