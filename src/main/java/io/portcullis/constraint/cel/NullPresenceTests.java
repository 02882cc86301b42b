package io.portcullis.constraint.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelMutableAst;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelMutableExpr;
import dev.cel.common.ast.CelMutableExpr.CelMutableCall;
import dev.cel.common.ast.CelMutableExpr.CelMutableSelect;
import dev.cel.common.navigation.CelNavigableMutableAst;
import dev.cel.common.navigation.CelNavigableMutableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.values.NullValue;
import java.util.List;
import java.util.Optional;

/**
 * cel-go's answer to a presence test on {@code null}: {@code has(x.f)} is {@code false} when {@code x} is null,
 * where dev.cel fails ("Field selections must be performed on messages or maps"). Gatekeeper's
 * {@code variables.params} is null for a constraint without parameters, and library templates test
 * {@code has(variables.params.exemptImages)}: with dev.cel's answer every such review failed instead of being
 * judged. The parsed expression is rewritten so that every presence test whose operand is dynamically typed
 * first asks for null: {@code has(x.f)} becomes {@code x == null ? false : has(x.f)}. Operands the checker typed
 * as a map or message are left alone: they cannot be null, and comparing them with null would not type-check.
 */
final class NullPresenceTests {
    private NullPresenceTests() {
    }

    /**
     * The parsed form of {@code checked}'s source with the rewrite applied, to be checked again; empty when the
     * expression has no presence test on a dynamic operand.
     */
    static Optional<CelAbstractSyntaxTree> rewrite(CelAbstractSyntaxTree parsed, CelAbstractSyntaxTree checked) {
        CelMutableAst ast = CelMutableAst.fromCelAst(parsed);
        List<CelMutableExpr> tests = CelNavigableMutableAst.fromAst(ast).getRoot().allNodes()
                .map(CelNavigableMutableExpr::expr)
                .filter(e -> e.getKind() == CelExpr.ExprKind.Kind.SELECT && e.select().testOnly())
                .filter(e -> checked.getType(e.select().operand().id()).map(t -> t.kind() == CelKind.DYN).orElse(false))
                .toList();
        if (tests.isEmpty()) {
            return Optional.empty();
        }
        long[] nextId = {CelNavigableMutableAst.fromAst(ast).getRoot().allNodes()
                .mapToLong(n -> n.expr().id()).max().orElse(0) + 1};
        for (CelMutableExpr test : tests) {
            CelMutableExpr operand = test.select().operand();
            CelMutableExpr presence = CelMutableExpr.ofSelect(nextId[0]++,
                    CelMutableSelect.create(operand, test.select().field(), true));
            // The copy of the operand needs ids of its own: the checker keys types and references by id.
            CelMutableExpr operandCopy = CelMutableExpr.newInstance(operand);
            CelNavigableMutableExpr.fromExpr(operandCopy).allNodes().forEach(n -> n.expr().setId(nextId[0]++));
            CelMutableExpr isNull = CelMutableExpr.ofCall(nextId[0]++, CelMutableCall.create("_==_", operandCopy,
                    CelMutableExpr.ofConstant(nextId[0]++, CelConstant.ofValue(NullValue.NULL_VALUE))));
            CelMutableExpr no = CelMutableExpr.ofConstant(nextId[0]++, CelConstant.ofValue(false));
            // The test's own node becomes the conditional, so its parent needs no change.
            test.setCall(CelMutableCall.create("_?_:_", isNull, no, presence));
        }
        return Optional.of(ast.toParsedAst());
    }
}
