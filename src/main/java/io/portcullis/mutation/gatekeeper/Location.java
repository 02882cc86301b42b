package io.portcullis.mutation.gatekeeper;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed mutator {@code location} (Gatekeeper's path syntax): fields separated by {@code .}, each optionally
 * followed by a list selector {@code [key: value]} whose value is an identifier, a quoted string, a decimal integer
 * or the glob {@code *}. Field names with {@code .}, {@code /} or spaces must be quoted ({@code "..."} or
 * {@code '...'}, backslash escapes the next character).
 */
public record Location(List<Node> nodes, String text) {

    /** A step of the path. */
    public sealed interface Node permits Field, ListEntry {
    }

    /** An object field. */
    public record Field(String name) implements Node {
    }

    /**
     * An element of a list of objects, selected by the value of its {@code keyField}: a String or a Long, or any
     * element when {@code glob}.
     */
    public record ListEntry(String keyField, Object keyValue, boolean glob) implements Node {
    }

    public Location {
        nodes = List.copyOf(nodes);
    }

    public int size() {
        return nodes.size();
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    public Node last() {
        return nodes.getLast();
    }

    /** True when the path starts with the {@code metadata} field. */
    public boolean startsAtMetadata() {
        return !nodes.isEmpty() && nodes.getFirst().equals(new Field("metadata"));
    }

    /** True when every node of {@code prefix} equals the node at the same position here. */
    public boolean hasPrefix(Location prefix) {
        return prefix.size() <= size() && nodes.subList(0, prefix.size()).equals(prefix.nodes);
    }

    @Override
    public String toString() {
        return text;
    }

    /** Parses a location; a malformed one is an {@link InvalidLocationException} saying where and why. */
    public static Location parse(String text) {
        if (text == null) {
            throw new InvalidLocationException("location is required");
        }
        return new Parser(text).parse();
    }

    /** The location text does not follow the path syntax. */
    public static final class InvalidLocationException extends IllegalArgumentException {
        public InvalidLocationException(String message) {
            super(message);
        }
    }

    private enum TokenType { IDENT, INT, STRING, DOT, LBRACKET, RBRACKET, COLON, GLOB, EOF }

    private record Token(TokenType type, String text, int position) {
        String describe() {
            return type == TokenType.EOF ? "end of location" : "\"" + text + "\" at position " + position;
        }
    }

    /** A tokenizer plus recursive-descent parser over the tokens, one token of lookahead. */
    private static final class Parser {
        private final String input;
        private final List<Token> tokens = new ArrayList<>();
        private int index;

        Parser(String input) {
            this.input = input;
            tokenize();
        }

        Location parse() {
            List<Node> nodes = new ArrayList<>();
            if (peek().type == TokenType.EOF) {
                throw error("location is empty");
            }
            while (true) {
                Token field = next();
                if (field.type != TokenType.IDENT && field.type != TokenType.STRING) {
                    throw error("expected a field name, got " + field.describe());
                }
                nodes.add(new Field(field.text));
                if (peek().type == TokenType.LBRACKET) {
                    next();
                    nodes.add(listEntry());
                }
                Token after = next();
                if (after.type == TokenType.EOF) {
                    return new Location(nodes, input);
                }
                if (after.type != TokenType.DOT) {
                    throw error("expected '.' or the end of the location, got " + after.describe());
                }
                if (peek().type == TokenType.EOF) {
                    throw error("trailing separators are forbidden");
                }
            }
        }

        private ListEntry listEntry() {
            Token key = next();
            if (key.type != TokenType.IDENT && key.type != TokenType.STRING) {
                throw error("expected a key field in the list selector, got " + key.describe());
            }
            Token colon = next();
            if (colon.type != TokenType.COLON) {
                throw error("expected ':' after the key field " + key.text + ", got " + colon.describe());
            }
            Token value = next();
            ListEntry entry = switch (value.type) {
                case GLOB -> new ListEntry(key.text, null, true);
                case IDENT, STRING -> new ListEntry(key.text, value.text, false);
                case INT -> {
                    try {
                        yield new ListEntry(key.text, Long.parseLong(value.text), false);
                    } catch (NumberFormatException e) {
                        throw error("key value " + value.text + " for key " + key.text + " overflows a 64-bit integer");
                    }
                }
                default -> throw error("expected a key value or glob in the list selector, got " + value.describe());
            };
            Token close = next();
            if (close.type != TokenType.RBRACKET) {
                throw error("expected ']' to close the list selector, got " + close.describe());
            }
            return entry;
        }

        private Token next() {
            return tokens.get(Math.min(index++, tokens.size() - 1));
        }

        private Token peek() {
            return tokens.get(Math.min(index, tokens.size() - 1));
        }

        private InvalidLocationException error(String message) {
            return new InvalidLocationException("invalid location \"" + input + "\": " + message);
        }

        private void tokenize() {
            int i = 0;
            while (i < input.length()) {
                char c = input.charAt(i);
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    i++;
                    continue;
                }
                int start = i;
                switch (c) {
                    case '.' -> tokens.add(new Token(TokenType.DOT, ".", i++));
                    case '[' -> tokens.add(new Token(TokenType.LBRACKET, "[", i++));
                    case ']' -> tokens.add(new Token(TokenType.RBRACKET, "]", i++));
                    case ':' -> tokens.add(new Token(TokenType.COLON, ":", i++));
                    case '*' -> tokens.add(new Token(TokenType.GLOB, "*", i++));
                    case '"', '\'' -> {
                        StringBuilder out = new StringBuilder();
                        i++;
                        boolean closed = false;
                        while (i < input.length()) {
                            char d = input.charAt(i++);
                            if (d == c) {
                                closed = true;
                                break;
                            }
                            if (d == '\\' && i < input.length()) {
                                d = input.charAt(i++);
                            }
                            out.append(d);
                        }
                        if (!closed) {
                            throw error("unterminated string starting at position " + start);
                        }
                        tokens.add(new Token(TokenType.STRING, out.toString(), start));
                    }
                    default -> {
                        if (!identifierChar(c)) {
                            throw error("invalid character '" + c + "' at position " + i);
                        }
                        while (i < input.length() && identifierChar(input.charAt(i))) {
                            i++;
                        }
                        String word = input.substring(start, i);
                        boolean digits = word.chars().allMatch(ch -> ch >= '0' && ch <= '9');
                        tokens.add(new Token(digits ? TokenType.INT : TokenType.IDENT, word, start));
                    }
                }
            }
            tokens.add(new Token(TokenType.EOF, "", input.length()));
        }

        private static boolean identifierChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
    }
}
