package io.portcullis.engine;

import io.portcullis.engine.builtins.GoFloat;
import io.portcullis.engine.builtins.RegoNumberNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * JSON for OPA with each number written as OPA sees it under Gatekeeper. Rego keeps a number's text: sprintf
 * prints {@code 1e+09} and {@code 1000000000} differently, and json.marshal returns the text. Gatekeeper's Go
 * code hands OPA Go values, which OPA turns into text its own way (ast.InterfaceToValue): an int64 in decimal, a
 * float64 as {@code strconv.FormatFloat(f, 'g', -1, 64)}, i.e. {@code 1e+09}, {@code 1.5}, {@code 1e+20}.
 * Jackson would write {@code 1.0E9}, or the integer a YAML {@code 1e9} became.
 *
 * <p>Whether a number is an int64 or a float64 there depends on the path:
 * <ul>
 *   <li>{@link Numbers#FLOAT64}: the review ({@code input.review}) goes through Go's encoding/json into
 *   {@code map[string]any} on its way to OPA ([FW] drivers/rego/driver.go toInterfaceMap), so every number in it
 *   is a float64: {@code 1000000} reads {@code 1e+06}, {@code 1.0E9} reads {@code 1e+09}.
 *   <li>{@link Numbers#INT64_OR_FLOAT64}: constraint parameters and {@code data.inventory} are Kubernetes
 *   unstructured objects, whose JSON decoder keeps a number an int64 when its text is an integer that fits one,
 *   else a float64 ({@code 100000000000000000000} reads {@code 1e+20}).
 * </ul>
 * A number that is no float64 (infinite, NaN) cannot be written; Go's JSON refuses it too.
 */
public final class RegoJson {
    private static final ObjectMapper JSON = EngineJson.MAPPER; // no 500-level limit: reviews nest up to 1,000
    private static final BigInteger MIN_LONG = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);
    /** Below this, FormatFloat(float64(n), 'g', -1) is n's decimal digits; from 1e6 on it has an exponent. */
    private static final long PLAIN_FLOAT_INTEGERS = 1_000_000;

    /** What Go made of the document's numbers before OPA saw them. */
    public enum Numbers { FLOAT64, INT64_OR_FLOAT64 }

    private RegoJson() {
    }

    /**
     * The value as JSON bytes, numbers written as Go's values print in OPA.
     *
     * @throws IllegalArgumentException for a number that is no finite float64 (the message names where)
     */
    public static byte[] write(JsonNode value, Numbers numbers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            write(gen, value, numbers);
        } catch (NotAFloat64 e) {
            String where = e.path.startsWith(".") ? e.path.substring(1) : e.path;
            throw new IllegalArgumentException("the number at " + (where.isEmpty() ? "the top" : where)
                    + " is no finite float64 (" + e.value + "), which Go's JSON and OPA cannot hold");
        }
        return out.toByteArray();
    }

    /**
     * The text OPA holds for the number after Go's path.
     *
     * @throws IllegalArgumentException for a number that is no finite float64
     */
    public static String numberText(JsonNode number, Numbers numbers) {
        try {
            return text(number, numbers);
        } catch (NotAFloat64 e) {
            throw new IllegalArgumentException("no finite float64: " + e.value);
        }
    }

    private static String text(JsonNode number, Numbers numbers) {
        if (number.isInt() || number.isLong() || number.isShort()) {
            long n = number.longValue();
            if (numbers == Numbers.INT64_OR_FLOAT64 || (n > -PLAIN_FLOAT_INTEGERS && n < PLAIN_FLOAT_INTEGERS)) {
                return Long.toString(n);
            }
            return GoFloat.format((double) n, 'g', -1);
        }
        if (number.isBigInteger() && numbers == Numbers.INT64_OR_FLOAT64) {
            BigInteger n = number.bigIntegerValue();
            if (n.compareTo(MIN_LONG) >= 0 && n.compareTo(MAX_LONG) <= 0) {
                return n.toString();
            }
        }
        double d = float64(number);
        if (!Double.isFinite(d)) {
            throw new NotAFloat64(number instanceof RegoNumberNode r ? r.text() : number.toString());
        }
        return GoFloat.format(d, 'g', -1);
    }

    /** The nearest float64, as Go's strconv.ParseFloat and int64-to-float64 conversion round. */
    private static double float64(JsonNode number) {
        if (number instanceof RegoNumberNode r) {
            return Double.parseDouble(r.text());
        }
        if (number.isBigInteger()) {
            return number.bigIntegerValue().doubleValue();
        }
        if (number.isBigDecimal()) {
            return Double.parseDouble(number.decimalValue().toString());
        }
        return number.doubleValue();
    }

    private static void write(JsonGenerator gen, JsonNode node, Numbers numbers) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                gen.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    gen.writeName(e.getKey());
                    try {
                        write(gen, e.getValue(), numbers);
                    } catch (NotAFloat64 x) {
                        throw x.under(e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") ? "." + e.getKey()
                                : "[" + JSON.writeValueAsString(e.getKey()) + "]");
                    }
                }
                gen.writeEndObject();
            }
            case ARRAY -> {
                gen.writeStartArray();
                for (int i = 0; i < node.size(); i++) {
                    try {
                        write(gen, node.get(i), numbers);
                    } catch (NotAFloat64 x) {
                        throw x.under("[" + i + "]");
                    }
                }
                gen.writeEndArray();
            }
            case NUMBER -> gen.writeNumber(text(node, numbers));
            default -> gen.writeTree(node);
        }
    }

    /** Unwinds to {@link #write(JsonNode, Numbers)}, collecting where the number is (only on this rare path). */
    private static final class NotAFloat64 extends RuntimeException {
        final String value;
        String path = "";

        NotAFloat64(String value) {
            super(null, null, false, false);
            this.value = value;
        }

        NotAFloat64 under(String segment) {
            path = segment + path;
            return this;
        }
    }
}
