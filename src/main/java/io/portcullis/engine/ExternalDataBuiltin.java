package io.portcullis.engine;

import io.portcullis.engine.builtins.BuiltinException;
import io.portcullis.engine.builtins.Evaluation;
import io.portcullis.engine.builtins.HostBuiltin;
import io.portcullis.engine.builtins.RegoValues;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code external_data({"provider": name, "keys": [...]})}, the builtin Gatekeeper's Rego driver registers. Like
 * Gatekeeper's (OPA's {@code Memoize: true}) it is memoised per evaluation, so a policy that calls it once per
 * container with the same keys asks once. An argument that is not such a request is a builtin error, as
 * Gatekeeper's {@code ast.As} into its request type is: the expression is undefined.
 */
final class ExternalDataBuiltin implements HostBuiltin.Impl {
    static final String NAME = "external_data";

    private final ExternalData externalData;

    private ExternalDataBuiltin(ExternalData externalData) {
        this.externalData = externalData;
    }

    static HostBuiltin of(ExternalData externalData) {
        return new HostBuiltin(NAME, 1, new ExternalDataBuiltin(externalData));
    }

    @Override
    public JsonNode call(List<JsonNode> args) throws BuiltinException {
        return call(args, Evaluation.unbounded());
    }

    @Override
    public JsonNode call(List<JsonNode> args, Evaluation evaluation) throws BuiltinException {
        JsonNode request = args.get(0);
        if (!request.isObject()) {
            throw BuiltinException.builtinError(NAME, "the request must be an object, got " + RegoValues.typeName(request));
        }
        String memoKey = NAME + RegoValues.toCanonicalText(request);
        JsonNode memoised = evaluation.memo().get(memoKey);
        if (memoised != null) {
            return memoised;
        }
        JsonNode answer = externalData.fetch(provider(request), keys(request), evaluation.timeLeft());
        evaluation.memo().put(memoKey, answer);
        return answer;
    }

    private static String provider(JsonNode request) throws BuiltinException {
        JsonNode provider = request.get("provider");
        if (provider == null || provider.isNull()) {
            return "";
        }
        if (!provider.isString()) {
            throw BuiltinException.builtinError(NAME, "provider must be a string, got " + RegoValues.typeName(provider));
        }
        return provider.stringValue();
    }

    /** The keys, an array or set of strings (Gatekeeper's request type is a list of strings). */
    private static List<String> keys(JsonNode request) throws BuiltinException {
        JsonNode keys = request.get("keys");
        List<String> out = new ArrayList<>();
        if (keys == null || keys.isNull()) {
            return out;
        }
        if (!keys.isArray()) {
            throw BuiltinException.builtinError(NAME, "keys must be an array of strings, got " + RegoValues.typeName(keys));
        }
        for (JsonNode key : keys) {
            if (!key.isString()) {
                throw BuiltinException.builtinError(NAME, "keys must be strings, got " + RegoValues.typeName(key));
            }
            out.add(key.stringValue());
        }
        return out;
    }
}
