/**
 * Host builtins for OPA wasm modules: the Rego builtins OPA's wasm runtime leaves to the host (sprintf first of
 * all), implemented with OPA v1.22.2's Go semantics and tested call by call against OPA's own evaluator.
 *
 * <p>Entry points: {@link io.portcullis.engine.builtins.HostBuiltins#standard()} finds a
 * {@link io.portcullis.engine.builtins.HostBuiltin} by name; {@link io.portcullis.engine.builtins.RegoValues}
 * decodes the arguments from {@code opa_value_dump} text and encodes the result for {@code opa_value_parse}.
 * A builtin returns null for undefined and throws {@link io.portcullis.engine.builtins.BuiltinException} (message
 * and code as OPA reports them, the builtin's name already in front) for a builtin error.
 *
 * <p>Go behaviour is reproduced by small ports: {@code GoFormat} (fmt.Sprintf), {@code GoFloat}
 * (strconv.FormatFloat), {@code GoQuote} (strconv.Quote), {@code GoRegex} (package regexp on RE2/J),
 * {@code GoBigFloat} (big.Float rounding for units.parse_bytes).
 */
package io.portcullis.engine.builtins;
