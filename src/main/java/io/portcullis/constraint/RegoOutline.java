package io.portcullis.constraint;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The outline of a Rego module that Gatekeeper's template checks look at: the package, the imports, the names and
 * head shapes of the top-level rules, the {@code data} references and the {@code http.send} calls, each with its
 * line and column.
 *
 * <p>This is a lexical scan, not a parser: OPA's own compiler parses and compiles the module afterwards and
 * reports real syntax errors. A module the scan cannot tokenise (an unterminated string, say) yields
 * {@link Optional#empty()} so the caller leaves the diagnosis to OPA.
 */
public record RegoOutline(
        List<String> packagePath,
        Position packagePosition,
        List<Import> imports,
        List<Rule> rules,
        List<Ref> dataRefs,
        List<Position> httpSendCalls) {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** 1-based line and column in the module source. */
    public record Position(int line, int column) {
    }

    /** An import: its path (segments) and where it is. */
    public record Import(List<String> path, Position position) {
        public String text() {
            return RegoOutline.refText(path);
        }
    }

    /** How a rule's head reads: {@code violation[x]} / {@code contains} is a partial set. */
    public enum HeadKind { PARTIAL_SET, PARTIAL_OBJECT, FUNCTION, COMPLETE }

    public record Rule(String name, HeadKind head, Position position) {
    }

    /**
     * A reference rooted at {@code data}; {@code constantPrefix} holds the leading segments that are constants
     * (e.g. {@code [data, inventory, namespace]} for {@code data.inventory.namespace[ns]}), {@code text} the
     * reference as written.
     */
    public record Ref(List<String> constantPrefix, String text, Position position) {
    }

    /** The outline, or empty when the source cannot even be tokenised (OPA will then say why). */
    public static Optional<RegoOutline> of(String source, boolean regoV1) {
        List<Token> tokens;
        try {
            tokens = new Lexer(source).tokens();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new Scanner(tokens, regoV1).scan());
    }

    static String refText(List<String> segments) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            if (i == 0) {
                sb.append(s);
            } else if (IDENTIFIER.matcher(s).matches()) {
                sb.append('.').append(s);
            } else {
                sb.append("[\"").append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------------------

    private enum Type { IDENT, NUMBER, STRING, PUNCT }

    /** A token; {@code lineStart} is true when only whitespace or comments precede it on its line. */
    private record Token(Type type, String text, int line, int column, boolean lineStart) {
        boolean is(String s) {
            return (type == Type.PUNCT || type == Type.IDENT) && text.equals(s);
        }
    }

    private static final class Lexer {
        private final String src;
        private int pos;
        private int line = 1;
        private int lineStartPos;
        private boolean atLineStart = true;

        Lexer(String src) {
            this.src = src;
        }

        List<Token> tokens() {
            List<Token> out = new ArrayList<>();
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (c == '\n') {
                    newline();
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                    pos++;
                } else if (c == '#') {
                    while (pos < src.length() && src.charAt(pos) != '\n') {
                        pos++;
                    }
                } else {
                    out.add(token(c));
                    atLineStart = false;
                }
            }
            return out;
        }

        private void newline() {
            pos++;
            line++;
            lineStartPos = pos;
            atLineStart = true;
        }

        private Token token(char c) {
            int startLine = line;
            int startColumn = pos - lineStartPos + 1;
            boolean first = atLineStart;
            int start = pos;
            if (c == '"') {
                StringBuilder value = new StringBuilder();
                pos++;
                while (true) {
                    if (pos >= src.length() || src.charAt(pos) == '\n') {
                        throw new IllegalArgumentException("unterminated string");
                    }
                    char ch = src.charAt(pos);
                    if (ch == '"') {
                        pos++;
                        break;
                    }
                    if (ch == '\\' && pos + 1 < src.length()) {
                        char next = src.charAt(pos + 1);
                        value.append(switch (next) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> next;
                        });
                        pos += 2;
                        continue;
                    }
                    value.append(ch);
                    pos++;
                }
                return new Token(Type.STRING, value.toString(), startLine, startColumn, first);
            }
            if (c == '`') {
                int end = src.indexOf('`', pos + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated raw string");
                }
                String value = src.substring(pos + 1, end);
                for (int i = pos; i < end; i++) {
                    if (src.charAt(i) == '\n') {
                        line++;
                        lineStartPos = i + 1;
                    }
                }
                pos = end + 1;
                return new Token(Type.STRING, value, startLine, startColumn, first);
            }
            if (Character.isDigit(c)) {
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.'
                        && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
                    pos++;
                }
                return new Token(Type.NUMBER, src.substring(start, pos), startLine, startColumn, first);
            }
            if (Character.isLetter(c) || c == '_') {
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                return new Token(Type.IDENT, src.substring(start, pos), startLine, startColumn, first);
            }
            String two = pos + 1 < src.length() ? src.substring(pos, pos + 2) : "";
            if (two.equals(":=") || two.equals("==") || two.equals("!=") || two.equals("<=") || two.equals(">=")) {
                pos += 2;
                return new Token(Type.PUNCT, two, startLine, startColumn, first);
            }
            pos++;
            return new Token(Type.PUNCT, String.valueOf(c), startLine, startColumn, first);
        }
    }

    private static final class Scanner {
        private final List<Token> tokens;
        private final boolean regoV1;
        private List<String> packagePath = List.of();
        private Position packagePosition = new Position(0, 0);
        private final List<Import> imports = new ArrayList<>();
        private final List<Rule> rules = new ArrayList<>();
        private final List<Ref> refs = new ArrayList<>();
        private final List<Position> httpSend = new ArrayList<>();

        Scanner(List<Token> tokens, boolean regoV1) {
            this.tokens = tokens;
            this.regoV1 = regoV1;
        }

        RegoOutline scan() {
            int depth = 0;
            for (int i = 0; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (depth == 0 && (i == 0 || t.lineStart()) && t.type() == Type.IDENT) {
                    if (t.text().equals("package")) {
                        List<String> path = new ArrayList<>();
                        i = readRef(i + 1, path) - 1;
                        packagePath = List.copyOf(path);
                        packagePosition = new Position(t.line(), t.column());
                        continue;
                    }
                    if (t.text().equals("import")) {
                        List<String> path = new ArrayList<>();
                        i = readRef(i + 1, path) - 1;
                        imports.add(new Import(List.copyOf(path), new Position(t.line(), t.column())));
                        continue;
                    }
                    if (!t.text().equals("else")) {
                        rule(i);
                    }
                }
                if (t.is("(") || t.is("[") || t.is("{")) {
                    depth++;
                } else if (t.is(")") || t.is("]") || t.is("}")) {
                    depth = Math.max(0, depth - 1);
                }
                boolean afterDot = i > 0 && tokens.get(i - 1).is(".");
                if (t.type() == Type.IDENT && t.text().equals("data") && !afterDot && next(i).map(n -> n.is(".") || n.is("[")).orElse(false)) {
                    dataRef(i);
                }
                if (t.type() == Type.IDENT && t.text().equals("http") && !afterDot && next(i).map(n -> n.is(".")).orElse(false)
                        && next(i + 1).map(n -> n.text().equals("send")).orElse(false)) {
                    httpSend.add(new Position(t.line(), t.column()));
                }
            }
            return new RegoOutline(packagePath, packagePosition, List.copyOf(imports), List.copyOf(rules),
                    List.copyOf(refs), List.copyOf(httpSend));
        }

        private Optional<Token> next(int i) {
            return i + 1 < tokens.size() ? Optional.of(tokens.get(i + 1)) : Optional.empty();
        }

        /** Reads {@code a.b["c"]} from token i; returns the index after it. */
        private int readRef(int i, List<String> path) {
            if (i < tokens.size() && tokens.get(i).type() == Type.IDENT) {
                path.add(tokens.get(i).text());
                i++;
            }
            while (i < tokens.size()) {
                Token t = tokens.get(i);
                if (t.is(".") && i + 1 < tokens.size() && tokens.get(i + 1).type() == Type.IDENT) {
                    path.add(tokens.get(i + 1).text());
                    i += 2;
                } else if (t.is("[") && i + 2 < tokens.size() && tokens.get(i + 1).type() == Type.STRING && tokens.get(i + 2).is("]")) {
                    path.add(tokens.get(i + 1).text());
                    i += 3;
                } else {
                    break;
                }
            }
            return i;
        }

        private void rule(int i) {
            Token first = tokens.get(i);
            int at = i;
            HeadKind forcedComplete = null;
            if (first.text().equals("default")) {
                at++;
                forcedComplete = HeadKind.COMPLETE;
                if (at >= tokens.size() || tokens.get(at).type() != Type.IDENT) {
                    return;
                }
            }
            Token name = tokens.get(at);
            int after = at + 1;
            // Ref heads (a.b.c) in v1: the rule is named by its first segment for Gatekeeper's purposes.
            while (after + 1 < tokens.size() && tokens.get(after).is(".") && tokens.get(after + 1).type() == Type.IDENT
                    && tokens.get(after + 1).line() == name.line()) {
                after += 2;
            }
            HeadKind kind = forcedComplete != null ? forcedComplete : headKind(after, name.line());
            rules.add(new Rule(name.text(), kind, new Position(name.line(), name.column())));
        }

        private HeadKind headKind(int i, int line) {
            if (i >= tokens.size() || tokens.get(i).line() != line && tokens.get(i).lineStart()) {
                return HeadKind.COMPLETE;
            }
            Token t = tokens.get(i);
            if (t.is("contains")) {
                return HeadKind.PARTIAL_SET;
            }
            if (t.is("(")) {
                return HeadKind.FUNCTION;
            }
            if (t.is("[")) {
                int close = matching(i);
                if (close + 1 < tokens.size() && (tokens.get(close + 1).is("=") || tokens.get(close + 1).is(":="))) {
                    return HeadKind.PARTIAL_OBJECT;
                }
                // In Rego v1 "p[x] if" is a single-value rule p[x] := true, an object; v0 reads it as a set.
                return regoV1 ? HeadKind.PARTIAL_OBJECT : HeadKind.PARTIAL_SET;
            }
            return HeadKind.COMPLETE;
        }

        private int matching(int open) {
            int depth = 0;
            for (int j = open; j < tokens.size(); j++) {
                Token t = tokens.get(j);
                if (t.is("(") || t.is("[") || t.is("{")) {
                    depth++;
                } else if (t.is(")") || t.is("]") || t.is("}")) {
                    depth--;
                    if (depth == 0) {
                        return j;
                    }
                }
            }
            return tokens.size() - 1;
        }

        private void dataRef(int i) {
            Token data = tokens.get(i);
            List<String> constant = new ArrayList<>(List.of("data"));
            StringBuilder text = new StringBuilder("data");
            boolean stillConstant = true;
            int j = i + 1;
            while (j < tokens.size()) {
                Token t = tokens.get(j);
                if (t.is(".") && j + 1 < tokens.size() && tokens.get(j + 1).type() == Type.IDENT) {
                    String seg = tokens.get(j + 1).text();
                    text.append('.').append(seg);
                    if (stillConstant) {
                        constant.add(seg);
                    }
                    j += 2;
                } else if (t.is("[")) {
                    int close = matching(j);
                    if (close == j + 2 && tokens.get(j + 1).type() == Type.STRING) {
                        String seg = tokens.get(j + 1).text();
                        text.append(IDENTIFIER.matcher(seg).matches() ? "." + seg : "[\"" + seg + "\"]");
                        if (stillConstant) {
                            constant.add(seg);
                        }
                    } else {
                        stillConstant = false;
                        StringBuilder inner = new StringBuilder();
                        for (int k = j + 1; k < close; k++) {
                            Token in = tokens.get(k);
                            inner.append(in.type() == Type.STRING ? "\"" + in.text() + "\"" : in.text());
                        }
                        text.append('[').append(inner).append(']');
                    }
                    j = close + 1;
                } else {
                    break;
                }
            }
            refs.add(new Ref(List.copyOf(constant), text.toString(), new Position(data.line(), data.column())));
        }
    }
}
