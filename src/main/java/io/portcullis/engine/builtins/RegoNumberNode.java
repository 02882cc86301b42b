package io.portcullis.engine.builtins;

import java.math.BigDecimal;
import tools.jackson.databind.node.DecimalNode;

/**
 * A Rego number that keeps the text it was written with. OPA prints a number as written ({@code [2.50, 1e3]}
 * stays {@code "[2.50, 1e3]"} under sprintf), and whether sprintf treats it as a float depends on that text
 * ({@code 1.0} is a float, {@code 1} an integer). Integers written canonically decode to Int/Long/BigInteger nodes
 * instead; this node holds the rest: numbers with a fraction or exponent, and {@code -0}.
 */
public final class RegoNumberNode extends DecimalNode {
    private final String text;

    /** @param text a JSON number */
    public RegoNumberNode(String text) {
        super(new BigDecimal(text));
        this.text = text;
    }

    /** The number as written. */
    public String text() {
        return text;
    }

    /** True when OPA treats the number as a float: its text has a fraction or an exponent. */
    public boolean isFloatText() {
        return text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0;
    }

    @Override
    public RegoNumberNode deepCopy() {
        return this;
    }
}
