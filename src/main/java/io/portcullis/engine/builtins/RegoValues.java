package io.portcullis.engine.builtins;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BigIntegerNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.LongNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Rego values as text, the way OPA's wasm runtime exchanges them with the host: {@code opa_value_dump} writes JSON
 * extended with sets ({@code {1, 2}}, {@code set()}) and non-string object keys ({@code {1: "a"}}), and
 * {@code opa_value_parse} reads the same. Decoded values are Jackson trees: sets are {@link RegoSetNode}s,
 * objects with non-string keys {@link RegoObjectNode}s, and numbers keep their precision and, where it is not the
 * canonical integer form, their text ({@link RegoNumberNode}).
 */
public final class RegoValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RegoValues() {}

    /**
     * Decodes Rego value text (JSON plus set literals and non-string object keys).
     *
     * @throws IllegalArgumentException if the text is not a single well-formed value
     */
    public static JsonNode parse(String regoValueText) {
        Parser parser = new Parser(regoValueText);
        JsonNode value;
        try {
            value = parser.value();
        } catch (StackOverflowError e) {
            throw new IllegalArgumentException("Rego value text nests too deeply");
        }
        parser.skipSpace();
        if (parser.pos != regoValueText.length()) {
            throw parser.error("unexpected text after the value");
        }
        return value;
    }

    /**
     * Encodes a value as Rego value text for {@code opa_value_parse}, laid out as {@code opa_value_dump} does
     * ({@code [1, 2]}, {@code {"a": 1}}, {@code {1, 2}}, {@code set()}), so parse and toRegoText round-trip.
     *
     * @throws IllegalArgumentException for nodes that are not Rego values (binary, POJO, missing, NaN, ...)
     */
    public static String toRegoText(JsonNode value) {
        StringBuilder out = new StringBuilder();
        try {
            writeRegoText(value, out);
        } catch (StackOverflowError e) {
            throw new IllegalArgumentException("Rego value nests too deeply");
        }
        return out.toString();
    }

    /**
     * The value as OPA's Go code prints it (ast.Value.String()): object keys and set elements sorted in Rego
     * order, strings quoted the Go way ({@code "a\tb"}, {@code "\x01"}). This is what sprintf prints for
     * composite arguments.
     */
    public static String toCanonicalText(JsonNode value) {
        StringBuilder out = new StringBuilder();
        writeCanonical(value, out);
        return out.toString();
    }

    /** OPA's name for the value's type: null, boolean, number, string, array, object or set. */
    public static String typeName(JsonNode value) {
        if (value instanceof RegoSetNode) {
            return "set";
        }
        return switch (value.getNodeType()) {
            case NULL -> "null";
            case BOOLEAN -> "boolean";
            case NUMBER -> "number";
            case STRING -> "string";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> throw new IllegalArgumentException("not a Rego value: " + value.getNodeType());
        };
    }

    /** The Rego text of a number node: as written for {@link RegoNumberNode}s, canonical otherwise. */
    public static String numberText(JsonNode number) {
        if (number instanceof RegoNumberNode n) {
            return n.text();
        }
        if (number.isIntegralNumber()) {
            return number.bigIntegerValue().toString();
        }
        if (number.isDouble() || number.isFloat()) {
            double d = number.doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("not a Rego number: " + d);
            }
            return GoFloat.format(d, 'g', -1);
        }
        if (number.isBigDecimal()) {
            return number.decimalValue().toString();
        }
        throw new IllegalArgumentException("not a number: " + number.getNodeType());
    }

    /** The number's exact value. */
    public static BigDecimal decimal(JsonNode number) {
        if (number.isIntegralNumber()) {
            return new BigDecimal(number.bigIntegerValue());
        }
        if (number.isDouble() || number.isFloat()) {
            return new BigDecimal(number.doubleValue());
        }
        return number.decimalValue();
    }

    /** The key/value pairs of an object, with keys as Rego values (non-string keys restored). */
    public static List<Map.Entry<JsonNode, JsonNode>> entries(JsonNode object) {
        List<Map.Entry<JsonNode, JsonNode>> entries = new ArrayList<>(object.size());
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            JsonNode key = object instanceof RegoObjectNode o ? o.keyOf(e.getKey()) : StringNode.valueOf(e.getKey());
            entries.add(Map.entry(key, e.getValue()));
        }
        return entries;
    }

    /** The elements of a set (or array) sorted in Rego order, the order OPA iterates sets in. */
    public static List<JsonNode> sorted(JsonNode collection) {
        List<JsonNode> elements = new ArrayList<>(collection.valueStream().toList());
        elements.sort(RegoValues::compare);
        return elements;
    }

    /**
     * Rego's total order (OPA's ast.Compare): null < booleans < numbers < strings < arrays < objects < sets;
     * numbers by value, strings by UTF-8 bytes, arrays element-wise, objects by sorted keys then values, sets by
     * sorted elements.
     */
    public static int compare(JsonNode a, JsonNode b) {
        int order = Integer.compare(sortOrder(a), sortOrder(b));
        if (order != 0) {
            return order;
        }
        return switch (sortOrder(a)) {
            case 0 -> 0;
            case 1 -> Boolean.compare(a.booleanValue(), b.booleanValue());
            case 2 -> decimal(a).compareTo(decimal(b));
            case 3 -> compareStrings(a.stringValue(), b.stringValue());
            case 7 -> compareLists(a.valueStream().toList(), b.valueStream().toList());
            case 8 -> compareObjects(a, b);
            default -> compareLists(sorted(a), sorted(b));
        };
    }

    /** Compares strings by code point, which is the UTF-8 byte order Go compares strings in. */
    public static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static int sortOrder(JsonNode v) {
        if (v instanceof RegoSetNode) {
            return 9;
        }
        return switch (v.getNodeType()) {
            case NULL -> 0;
            case BOOLEAN -> 1;
            case NUMBER -> 2;
            case STRING -> 3;
            case ARRAY -> 7;
            case OBJECT -> 8;
            default -> throw new IllegalArgumentException("not a Rego value: " + v.getNodeType());
        };
    }

    private static int compareLists(List<JsonNode> a, List<JsonNode> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareObjects(JsonNode a, JsonNode b) {
        List<Map.Entry<JsonNode, JsonNode>> ea = sortedEntries(a);
        List<Map.Entry<JsonNode, JsonNode>> eb = sortedEntries(b);
        for (int i = 0; i < Math.min(ea.size(), eb.size()); i++) {
            int c = compare(ea.get(i).getKey(), eb.get(i).getKey());
            if (c == 0) {
                c = compare(ea.get(i).getValue(), eb.get(i).getValue());
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ea.size(), eb.size());
    }

    static List<Map.Entry<JsonNode, JsonNode>> sortedEntries(JsonNode object) {
        List<Map.Entry<JsonNode, JsonNode>> entries = entries(object);
        entries.sort((x, y) -> compare(x.getKey(), y.getKey()));
        return entries;
    }

    // ---- writing

    private static void writeRegoText(JsonNode v, StringBuilder out) {
        if (v == null) {
            throw new IllegalArgumentException("null is not a Rego value (use NullNode for null)");
        }
        switch (v.getNodeType()) {
            case NULL -> out.append("null");
            case BOOLEAN -> out.append(v.booleanValue());
            case NUMBER -> out.append(numberText(v));
            case STRING -> writeJsonString(v.stringValue(), out);
            case ARRAY -> {
                if (v instanceof RegoSetNode && v.isEmpty()) {
                    out.append("set()");
                    return;
                }
                boolean set = v instanceof RegoSetNode;
                out.append(set ? '{' : '[');
                writeJoined(v.valueStream().toList(), out, RegoValues::writeRegoText);
                out.append(set ? '}' : ']');
            }
            case OBJECT -> {
                out.append('{');
                String sep = "";
                for (Map.Entry<JsonNode, JsonNode> e : entries(v)) {
                    out.append(sep);
                    writeRegoText(e.getKey(), out);
                    out.append(": ");
                    writeRegoText(e.getValue(), out);
                    sep = ", ";
                }
                out.append('}');
            }
            default -> throw new IllegalArgumentException("not a Rego value: " + v.getNodeType());
        }
    }

    /** Escapes as opa_value_dump does: quote, backslash and control characters; everything else as is. */
    private static void writeJsonString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void writeCanonical(JsonNode v, StringBuilder out) {
        switch (v.getNodeType()) {
            case STRING -> out.append(GoQuote.quote(v.stringValue(), false));
            case ARRAY -> {
                if (v instanceof RegoSetNode) {
                    if (v.isEmpty()) {
                        out.append("set()");
                        return;
                    }
                    out.append('{');
                    writeJoined(sorted(v), out, RegoValues::writeCanonical);
                    out.append('}');
                } else {
                    out.append('[');
                    writeJoined(v.valueStream().toList(), out, RegoValues::writeCanonical);
                    out.append(']');
                }
            }
            case OBJECT -> {
                out.append('{');
                String sep = "";
                for (Map.Entry<JsonNode, JsonNode> e : sortedEntries(v)) {
                    out.append(sep);
                    writeCanonical(e.getKey(), out);
                    out.append(": ");
                    writeCanonical(e.getValue(), out);
                    sep = ", ";
                }
                out.append('}');
            }
            default -> writeRegoText(v, out);
        }
    }

    private interface Writer {
        void write(JsonNode v, StringBuilder out);
    }

    private static void writeJoined(List<JsonNode> values, StringBuilder out, Writer writer) {
        String sep = "";
        for (JsonNode element : values) {
            out.append(sep);
            writer.write(element, out);
            sep = ", ";
        }
    }

    // ---- parsing

    /** Recursive descent over the grammar opa_value_parse accepts. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        JsonNode value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("expected a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case 'n' -> literal("null", NullNode.getInstance());
                case 't' -> literal("true", BooleanNode.TRUE);
                case 'f' -> literal("false", BooleanNode.FALSE);
                case 's' -> emptySet();
                case '"' -> StringNode.valueOf(string());
                case '[' -> array();
                case '{' -> objectOrSet();
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + c + "'");
                }
            };
        }

        private JsonNode literal(String word, JsonNode node) {
            if (!text.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return node;
        }

        private JsonNode emptySet() {
            literal("set(", null);
            skipSpace();
            expect(')');
            return new RegoSetNode();
        }

        private JsonNode array() {
            expect('[');
            ArrayNode array = NODES.arrayNode();
            skipSpace();
            if (peek(']')) {
                pos++;
                return array;
            }
            while (true) {
                array.add(value());
                skipSpace();
                if (peek(',')) {
                    pos++;
                } else {
                    expect(']');
                    return array;
                }
            }
        }

        private JsonNode objectOrSet() {
            expect('{');
            skipSpace();
            if (peek('}')) {
                pos++;
                return NODES.objectNode();
            }
            JsonNode head = value();
            skipSpace();
            if (peek(':')) {
                return object(head);
            }
            RegoSetNode set = new RegoSetNode();
            set.add(head);
            while (true) {
                skipSpace();
                if (peek('}')) {
                    pos++;
                    return set;
                }
                expect(',');
                set.add(value());
            }
        }

        private JsonNode object(JsonNode firstKey) {
            List<JsonNode> keys = new ArrayList<>();
            List<JsonNode> values = new ArrayList<>();
            JsonNode key = firstKey;
            while (true) {
                skipSpace();
                expect(':');
                keys.add(key);
                values.add(value());
                skipSpace();
                if (peek('}')) {
                    pos++;
                    break;
                }
                expect(',');
                key = value();
            }
            boolean allStrings = keys.stream().allMatch(JsonNode::isString);
            if (allStrings) {
                ObjectNode object = NODES.objectNode();
                for (int i = 0; i < keys.size(); i++) {
                    object.set(keys.get(i).stringValue(), values.get(i));
                }
                return object;
            }
            RegoObjectNode object = new RegoObjectNode();
            Iterator<JsonNode> vs = values.iterator();
            for (JsonNode k : keys) {
                object.putKey(k, vs.next());
            }
            return object;
        }

        private JsonNode number() {
            int start = pos;
            if (peek('-')) {
                pos++;
            }
            if (peek('0')) {
                pos++;
            } else if (!digits()) {
                throw error("malformed number");
            }
            boolean integral = true;
            if (peek('.')) {
                pos++;
                integral = false;
                if (!digits()) {
                    throw error("malformed number");
                }
            }
            if (peek('e') || peek('E')) {
                pos++;
                integral = false;
                if (peek('+') || peek('-')) {
                    pos++;
                }
                if (!digits()) {
                    throw error("malformed number");
                }
            }
            return numberNode(text.substring(start, pos), integral);
        }

        private boolean digits() {
            int start = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            return pos > start;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("malformed \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("malformed \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("unknown escape \\" + e);
                }
            }
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        void skipSpace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        IllegalArgumentException error(String what) {
            String context = text.length() <= 60 ? text : text.substring(Math.max(0, pos - 30), Math.min(text.length(), pos + 30));
            return new IllegalArgumentException("bad Rego value text at offset " + pos + ": " + what + " in `" + context + "`");
        }
    }

    /** The node for a JSON number: Int/Long/BigInteger for canonical integers, else the text kept. */
    static JsonNode numberNode(String text, boolean integral) {
        if (!integral || text.equals("-0")) {
            return new RegoNumberNode(text);
        }
        BigInteger value = new BigInteger(text);
        if (value.bitLength() < 32) {
            return IntNode.valueOf(value.intValue());
        }
        if (value.bitLength() < 64) {
            return LongNode.valueOf(value.longValue());
        }
        return BigIntegerNode.valueOf(value);
    }
}
