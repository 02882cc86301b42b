package io.portcullis.mutation.gatekeeper;

import io.portcullis.json.JsonFields;
import tools.jackson.databind.JsonNode;

/**
 * {@code parameters.assign.externalData} of an Assign (AssignMetadata refuses it, as Gatekeeper does): the value at the location is replaced by
 * what a Provider answers for a key, the current value there or the requesting user's name.
 *
 * @param defaultValue used when the call fails under {@code failurePolicy: UseDefault}
 */
public record ExternalDataRef(String provider, DataSource dataSource, FailurePolicy failurePolicy, String defaultValue) {

    /** What is sent as the key. */
    public enum DataSource { VALUE_AT_LOCATION, USERNAME }

    /** What a failed call does: fail the request, keep the key, or use {@code default}. */
    public enum FailurePolicy { FAIL, IGNORE, USE_DEFAULT }

    /** Reads it as Gatekeeper does, with its defaults (ValueAtLocation, Fail) and its check of {@code default}. */
    static ExternalDataRef parse(JsonNode node) {
        String provider = JsonFields.textOrNull(node, "provider");
        String source = JsonFields.textOrNull(node, "dataSource");
        String policy = JsonFields.textOrNull(node, "failurePolicy");
        String defaultValue = JsonFields.textOrNull(node, "default");
        DataSource dataSource = switch (source == null || source.isEmpty() ? "ValueAtLocation" : source) {
            case "ValueAtLocation" -> DataSource.VALUE_AT_LOCATION;
            case "Username" -> DataSource.USERNAME;
            default -> throw new IllegalArgumentException("unsupported externalData.dataSource: " + source
                    + " (ValueAtLocation or Username)");
        };
        FailurePolicy failurePolicy = switch (policy == null || policy.isEmpty() ? "Fail" : policy) {
            case "Fail" -> FailurePolicy.FAIL;
            case "Ignore" -> FailurePolicy.IGNORE;
            case "UseDefault" -> FailurePolicy.USE_DEFAULT;
            default -> throw new IllegalArgumentException("unsupported externalData.failurePolicy: " + policy
                    + " (Fail, Ignore or UseDefault)");
        };
        if (failurePolicy == FailurePolicy.USE_DEFAULT && (defaultValue == null || defaultValue.isEmpty())) {
            throw new IllegalArgumentException("`default` must not be empty when `failurePolicy` is set to `UseDefault`");
        }
        return new ExternalDataRef(provider == null ? "" : provider, dataSource, failurePolicy,
                defaultValue == null ? "" : defaultValue);
    }
}
