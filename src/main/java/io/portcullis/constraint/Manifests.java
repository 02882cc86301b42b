package io.portcullis.constraint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads Kubernetes manifests (YAML, several documents per file, or JSON) the way Gatekeeper and gator do.
 *
 * <p>Go's Kubernetes tooling decodes YAML with YAML 1.1 rules: unquoted {@code yes}/{@code on} are booleans,
 * {@code ~} is null, {@code 0755} is octal, {@code 1.0} becomes the JSON number 1. Jackson's YAML parser follows
 * YAML 1.2 and would read those differently, so the scalars are resolved here from snakeyaml-engine's node tree
 * with Go's rules. JSON is a subset of YAML and goes the same way.
 *
 * <p>Numbers end as Kubernetes' unstructured objects hold them after YAML → JSON → Go: a long when Go's JSON text
 * of the value is an integer that fits an int64 ({@code 1e9}, {@code 1.0}), a double otherwise ({@code 1.5},
 * {@code 1e21}); integers beyond a long stay exact here and become float64 only where Rego sees them (see
 * {@link io.portcullis.engine.RegoJson}). {@code .inf}, {@code -.inf} and {@code .nan} have no JSON form: the YAML to
 * JSON step of kubectl and gator refuses them, and so does this reader, naming the field.
 */
public final class Manifests {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> TRUE = Set.of("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON");
    private static final Set<String> FALSE = Set.of("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF");
    private static final Set<String> NULL = Set.of("", "~", "null", "Null", "NULL");
    /** Go yaml.v2's floats, which the JSON step cannot write: +Inf, -Inf, NaN. */
    private static final Set<String> NOT_JSON = Set.of(".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
            "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern INT = Pattern.compile("[-+]?(0[bB][01_]+|0[oO]?[0-7_]+|0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)");
    private static final BigInteger MIN_LONG = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** 2^63: integral doubles below it (and at or above -2^63) are exactly a long. */
    private static final double TWO_TO_63 = 0x1p63;

    private Manifests() {
    }

    /** Every non-empty document of the file, in order. */
    public static List<JsonNode> readFile(Path file) throws ManifestException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ManifestException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return read(text, file.toString());
    }

    /** Every non-empty document in the text; {@code origin} names the text in error messages. */
    public static List<JsonNode> read(String text, String origin) throws ManifestException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(origin)
                .setSchema(new FailsafeSchema())
                .setAllowDuplicateKeys(true)
                .setMaxAliasesForCollections(1000)
                .build();
        List<JsonNode> documents = new ArrayList<>();
        try {
            for (Node node : new Compose(settings).composeAllFromString(text)) {
                JsonNode value = toJson(node, new IdentityHashMap<>(), 0);
                if (!value.isNull()) {
                    documents.add(value);
                }
            }
        } catch (YamlEngineException e) {
            throw new ManifestException("cannot parse " + origin + ": " + e.getMessage(), e);
        } catch (NotJson e) {
            String where = e.path.startsWith(".") ? e.path.substring(1) : e.path;
            throw new ManifestException(origin + ": " + (where.isEmpty() ? "" : where + ": ") + e.getMessage()
                    + e.scalar.getStartMark().map(m -> " (line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ")")
                            .orElse(""));
        }
        return documents;
    }

    /** Every non-empty document, each of which must be a JSON object (a Kubernetes object). */
    public static List<ObjectNode> readObjects(Path file) throws ManifestException {
        return objects(readFile(file), file.toString());
    }

    public static List<ObjectNode> readObjects(String text, String origin) throws ManifestException {
        return objects(read(text, origin), origin);
    }

    private static List<ObjectNode> objects(List<JsonNode> documents, String origin) throws ManifestException {
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode doc : documents) {
            if (!(doc instanceof ObjectNode object)) {
                throw new ManifestException(origin + ": a document is a " + doc.getNodeType().name().toLowerCase()
                        + ", not a Kubernetes object");
            }
            objects.add(object);
        }
        return objects;
    }

    private static JsonNode toJson(Node node, Map<Node, Boolean> inProgress, int depth) throws ManifestException {
        if (depth > 500 || inProgress.containsKey(node)) {
            throw new ManifestException("YAML nests too deeply or refers to itself"
                    + node.getStartMark().map(m -> " at " + m).orElse(""));
        }
        inProgress.put(node, Boolean.TRUE);
        try {
            return switch (node) {
                case ScalarNode scalar -> scalar(scalar);
                case SequenceNode sequence -> {
                    ArrayNode array = NODES.arrayNode();
                    for (Node item : sequence.getValue()) {
                        try {
                            array.add(toJson(item, inProgress, depth + 1));
                        } catch (NotJson e) {
                            throw e.under("[" + array.size() + "]");
                        }
                    }
                    yield array;
                }
                case MappingNode mapping -> mapping(mapping, inProgress, depth);
                default -> throw new ManifestException("unsupported YAML node " + node.getNodeType());
            };
        } finally {
            inProgress.remove(node);
        }
    }

    private static ObjectNode mapping(MappingNode mapping, Map<Node, Boolean> inProgress, int depth) throws ManifestException {
        ObjectNode object = NODES.objectNode();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            JsonNode value;
            try {
                value = toJson(tuple.getValueNode(), inProgress, depth + 1);
            } catch (NotJson e) {
                throw e.under(keyNode instanceof ScalarNode k ? pathSegment(k.getValue()) : "[?]");
            }
            // A "<<" merge key folds the referenced mapping(s) in without overriding explicit keys.
            if (keyNode instanceof ScalarNode k && k.isPlain() && "<<".equals(k.getValue())) {
                List<JsonNode> merged = value.isArray() ? List.copyOf(value.values()) : List.of(value);
                for (JsonNode m : merged) {
                    if (m instanceof ObjectNode source) {
                        source.properties().forEach(e -> {
                            if (!object.has(e.getKey())) {
                                object.set(e.getKey(), e.getValue());
                            }
                        });
                    }
                }
                continue;
            }
            if (!(keyNode instanceof ScalarNode keyScalar)) {
                throw new ManifestException("a mapping key is not a scalar" + keyNode.getStartMark().map(m -> " at " + m).orElse(""));
            }
            // sigs.k8s.io/yaml names an infinite or NaN key .inf, -.inf or .nan, as written.
            JsonNode key = NOT_JSON.contains(keyScalar.getValue()) && keyScalar.isPlain()
                    ? NODES.stringNode(keyScalar.getValue()) : toJson(keyNode, inProgress, depth + 1);
            object.set(key.isString() ? key.asString() : key.toString(), value);
        }
        return object;
    }

    private static String pathSegment(String key) {
        return key.matches("[A-Za-z_][A-Za-z0-9_-]*") ? "." + key : "[\"" + key.replace("\"", "\\\"") + "\"]";
    }

    private static JsonNode scalar(ScalarNode scalar) {
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        boolean typed = scalar.isPlain()
                || tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.BOOL) || tag.equals(Tag.NULL);
        if (!typed) {
            // Quoted or block scalars are strings, unless explicitly tagged.
            return NODES.stringNode(text);
        }
        if (NOT_JSON.contains(text)) {
            throw new NotJson(scalar, text + " is not a number JSON can hold (kubectl and gator refuse it too)");
        }
        return resolve(text);
    }

    /** Go yaml.v2's implicit typing of a plain scalar, then the JSON number form sigs.k8s.io/yaml gives it. */
    static JsonNode resolve(String text) {
        if (NULL.contains(text)) {
            return NODES.nullNode();
        }
        if (TRUE.contains(text)) {
            return NODES.booleanNode(true);
        }
        if (FALSE.contains(text)) {
            return NODES.booleanNode(false);
        }
        if (INT.matcher(text).matches()) {
            BigInteger value = parseInt(text);
            if (value != null && value.compareTo(MIN_LONG) >= 0 && value.compareTo(MAX_LONG) <= 0) {
                return NODES.numberNode(value.longValue());
            }
            // Beyond an int64: yaml.v2 takes a uint64, then a float (decimal digits only), else the text.
            boolean decimal = text.replace("_", "").replaceFirst("^[-+]", "").matches("[1-9][0-9]*");
            if (value != null && (decimal || (value.signum() > 0 && value.compareTo(MAX_UINT64) <= 0))) {
                return NODES.numberNode(value);
            }
        }
        // yaml.v2 drops underscores from numbers, except from a float that starts with its point.
        String plain = text.startsWith(".") ? text : text.replace("_", "");
        if (FLOAT.matcher(plain).matches()) {
            double d = Double.parseDouble(plain);
            // Go's ParseFloat fails on overflow, and yaml.v2 then keeps the text as a string.
            if (Double.isFinite(d)) {
                return number(d);
            }
        }
        return NODES.stringNode(text);
    }

    /**
     * A float64 as Kubernetes holds it after JSON: Go writes an integral float64 below 1e21 as integer digits,
     * which its decoder reads back as an int64 when they fit one ({@code 1e9} and {@code 1.0} become longs).
     */
    private static JsonNode number(double d) {
        if (d == Math.rint(d) && d >= -TWO_TO_63 && d < TWO_TO_63) {
            return NODES.numberNode((long) d);
        }
        return NODES.numberNode(d);
    }

    private static BigInteger parseInt(String text) {
        String s = text.replace("_", "");
        boolean negative = s.startsWith("-");
        if (s.startsWith("-") || s.startsWith("+")) {
            s = s.substring(1);
        }
        s = s.toLowerCase(java.util.Locale.ROOT);
        try {
            BigInteger value;
            if (s.startsWith("0b")) {
                value = new BigInteger(s.substring(2), 2);
            } else if (s.startsWith("0x")) {
                value = new BigInteger(s.substring(2), 16);
            } else if (s.startsWith("0o")) {
                value = new BigInteger(s.substring(2), 8);
            } else if (s.length() > 1 && s.startsWith("0")) {
                value = new BigInteger(s.substring(1), 8);
            } else {
                value = new BigInteger(s);
            }
            return negative ? value.negate() : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A scalar JSON cannot hold; unwinds to {@link #read}, collecting the path to it. */
    private static final class NotJson extends RuntimeException {
        final transient ScalarNode scalar;
        String path = "";

        NotJson(ScalarNode scalar, String message) {
            super(message, null, false, false);
            this.scalar = scalar;
        }

        NotJson under(String segment) {
            path = segment + path;
            return this;
        }
    }
}
