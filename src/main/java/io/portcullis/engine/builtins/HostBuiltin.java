package io.portcullis.engine.builtins;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A Rego builtin that OPA's wasm runtime does not implement itself, so the module calls out to the host
 * (env.opa_builtinN). Arguments arrive as Rego values decoded by {@link RegoValues#parse}; sets are
 * {@link RegoSetNode}s so that builtins like sprintf can print them the way OPA does.
 */
public record HostBuiltin(String name, int arity, Impl impl) {

    @FunctionalInterface
    public interface Impl {
        /** Returns the builtin's value, or null when the builtin is undefined for these arguments. */
        JsonNode call(List<JsonNode> args) throws BuiltinException;

        /** The same, told which evaluation calls it; only builtins that need its deadline or memo override this. */
        default JsonNode call(List<JsonNode> args, Evaluation evaluation) throws BuiltinException {
            return call(args);
        }
    }

    public JsonNode call(List<JsonNode> args) throws BuiltinException {
        return call(args, Evaluation.unbounded());
    }

    public JsonNode call(List<JsonNode> args, Evaluation evaluation) throws BuiltinException {
        if (args.size() != arity) {
            throw new BuiltinException(name + ": expected " + arity + " arguments, got " + args.size());
        }
        return impl.call(args, evaluation);
    }
}
