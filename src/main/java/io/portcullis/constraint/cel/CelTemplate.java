package io.portcullis.constraint.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A template's K8sNativeValidation code, compiled once when the template is loaded, and its evaluation for one
 * constraint as Gatekeeper's CEL driver does it ([GK] pkg/drivers/k8scel/driver.go on the API server's
 * {@code validating.Validator}): the match conditions first, then every validation; a validation that is not
 * {@code true} denies with its {@code messageExpression}, else its {@code message}, else
 * {@code failed expression: <expression>}. Gatekeeper's own variables come first: {@code variables.anyObject}
 * (the object, or the old object on DELETE) and {@code variables.params} (the constraint's
 * {@code spec.parameters}); the template's variables are evaluated lazily, at most once per constraint.
 *
 * <p>Immutable and thread-safe.
 */
public final class CelTemplate {
    private static final Logger log = LoggerFactory.getLogger(CelTemplate.class);
    static final String OBJECT = "object";
    static final String OLD_OBJECT = "oldObject";
    static final String REQUEST = "request";
    static final String PARAMS = "params";
    static final String NAMESPACE_OBJECT = "namespaceObject";
    static final String VARIABLES = "variables";
    static final String ANY_OBJECT = "anyObject";
    /** [K8S] apiserver/pkg/apis/cel/config.go: the cost limit of one expression, and Gatekeeper's budget per constraint. */
    static final long PER_CALL_LIMIT = 1_000_000;
    /** The budget of all match conditions together ({@code RuntimeCELCostBudgetMatchConditions}). */
    static final long MATCH_CONDITIONS_BUDGET = 2_500_000;
    /** Longest message a messageExpression may produce ({@code MaxEvaluatedMessageExpressionSizeBytes}). */
    private static final int MAX_MESSAGE_BYTES = 5 * 1024;
    private static final String OUT_OF_BUDGET =
            "validation failed due to running out of cost budget, no further validation rules will be run";

    /** Gatekeeper's variables ([GK] pkg/drivers/k8scel/transform/cel_snippets.go), before the template's. */
    private static final List<CelCode.Variable> GATEKEEPER_VARIABLES = List.of(
            new CelCode.Variable(ANY_OBJECT,
                    "has(request.operation) && request.operation == \"DELETE\" && object == null ? oldObject : object"),
            new CelCode.Variable(PARAMS,
                    "!has(params.spec) ? null : !has(params.spec.parameters) ? null: params.spec.parameters"));

    private record Expression(String text, CelRuntime.Program program) {
    }

    private record Check(CelCode.Validation validation, Expression expression, Expression message) {
    }

    private final CelCode code;
    private final Map<String, Expression> variables;
    private final List<Expression> matchConditions;
    private final List<Check> validations;

    private CelTemplate(CelCode code, Map<String, Expression> variables, List<Expression> matchConditions,
            List<Check> validations) {
        this.code = code;
        this.variables = variables;
        this.matchConditions = matchConditions;
        this.validations = validations;
    }

    public CelCode code() {
        return code;
    }

    /**
     * Compiles every expression of the code.
     *
     * @param where the code entry's path in the template, for messages ({@code spec.targets[0].code[1].source})
     * @throws IllegalArgumentException naming the expression and, as the API server does, the position of the
     *     error ({@code compilation failed: ERROR: <input>:1:5: ...})
     */
    public static CelTemplate compile(CelCode code, String where) {
        Map<String, Expression> variables = new HashMap<>();
        Set<String> known = new LinkedHashSet<>();
        List<CelCode.Variable> all = new ArrayList<>(GATEKEEPER_VARIABLES);
        all.addAll(code.variables());
        for (int i = 0; i < all.size(); i++) {
            CelCode.Variable v = all.get(i);
            String path = where + ".variables[" + (i - GATEKEEPER_VARIABLES.size()) + "].expression";
            variables.put(v.name(), compile(v.expression(), known, null, path));
            known.add(v.name());
        }
        List<Expression> conditions = new ArrayList<>();
        for (int i = 0; i < code.matchConditions().size(); i++) {
            conditions.add(compile(code.matchConditions().get(i).expression(), known, CelKind.BOOL,
                    where + ".matchCondition[" + i + "].expression"));
        }
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < code.validations().size(); i++) {
            CelCode.Validation v = code.validations().get(i);
            String path = where + ".validations[" + i + "]";
            Expression message = v.messageExpression().isEmpty() ? null
                    : compile(v.messageExpression(), known, CelKind.STRING, path + ".messageExpression");
            checks.add(new Check(v, compile(v.expression(), known, CelKind.BOOL, path + ".expression"), message));
        }
        return new CelTemplate(code, Map.copyOf(variables), List.copyOf(conditions), List.copyOf(checks));
    }

    private static Expression compile(String text, Set<String> variables, CelKind want, String path) {
        CelAbstractSyntaxTree parsed;
        CelAbstractSyntaxTree ast;
        try {
            parsed = CelEnvironment.CEL.parse(text).getAst();
            ast = CelEnvironment.CEL.check(parsed).getAst();
        } catch (CelValidationException e) {
            throw new IllegalArgumentException(path + ": compilation failed: " + e.getMessage());
        }
        checkVariables(ast, variables, path);
        CelType result = ast.getResultType();
        if (want != null && result.kind() != want && result.kind() != CelKind.DYN) {
            throw new IllegalArgumentException(path + ": must evaluate to " + want.name().toLowerCase(java.util.Locale.ROOT)
                    + " but got " + result.name());
        }
        try {
            return new Expression(text, CelEnvironment.CEL.createProgram(withNullPresenceTests(text, parsed, ast)));
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException(path + ": compilation failed: " + e.getMessage());
        }
    }

    /**
     * The checked expression with cel-go's presence tests on null ({@link NullPresenceTests}). Errors are reported
     * on the expression as written; should the rewritten form not check (it always should), the expression runs as
     * written rather than the template being refused.
     */
    private static CelAbstractSyntaxTree withNullPresenceTests(String text, CelAbstractSyntaxTree parsed,
            CelAbstractSyntaxTree checked) {
        try {
            Optional<CelAbstractSyntaxTree> rewritten = NullPresenceTests.rewrite(parsed, checked);
            return rewritten.isEmpty() ? checked : CelEnvironment.CEL.check(rewritten.get()).getAst();
        } catch (CelValidationException | RuntimeException e) {
            log.warn("CEL expression {} runs without cel-go's presence tests on null: {}", text, e.getMessage());
            return checked;
        }
    }

    /**
     * {@code variables} is a map to dev.cel's checker; the API server declares each variable as a field, so a
     * reference to one not (yet) declared is a compile error there, and here as well.
     */
    private static void checkVariables(CelAbstractSyntaxTree ast, Set<String> known, String path) {
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(node -> {
            CelExpr expr = node.expr();
            if (expr.exprKind().getKind() != CelExpr.ExprKind.Kind.SELECT) {
                return;
            }
            CelExpr operand = expr.select().operand();
            if (operand.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT
                    && operand.ident().name().equals(VARIABLES) && !known.contains(expr.select().field())) {
                Integer offset = ast.getSource().getPositionsMap().get(expr.id());
                Optional<CelSourceLocation> at = offset == null ? Optional.empty()
                        : ast.getSource().getOffsetLocation(offset);
                String position = at.map(l -> l.getLine() + ":" + (l.getColumn() + 1)).orElse("1:1");
                throw new IllegalArgumentException(path + ": compilation failed: ERROR: <input>:" + position
                        + ": undefined field '" + expr.select().field() + "'");
            }
        });
    }

    /** The review's variables, converted once for all constraints of a review. */
    public record Input(Object object, Object oldObject, Object request, Object namespaceObject) {
    }

    /**
     * Evaluates the code for one constraint; the answer is the message of every denial. An evaluation error
     * denies with the API server's text when the failure policy is {@code Fail} and is dropped with
     * {@code Ignore}; running out of the cost budget always denies.
     *
     * @param constraint the constraint object, CEL's {@code params}
     */
    public List<String> evaluate(Input input, Object constraint) {
        Evaluation eval = new Evaluation(input, constraint);
        List<String> errors = new ArrayList<>();
        eval.budget = MATCH_CONDITIONS_BUDGET;
        for (Expression condition : matchConditions) {
            try {
                if (Boolean.FALSE.equals(eval.run(condition))) {
                    return List.of();
                }
            } catch (OutOfBudget e) {
                return List.of(OUT_OF_BUDGET);
            } catch (CelEvaluationException e) {
                errors.add(errorText(condition, e));
            }
        }
        if (!errors.isEmpty()) {
            return failure(errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]");
        }
        eval.budget = PER_CALL_LIMIT;
        List<String> denials = new ArrayList<>();
        for (Check check : validations) {
            Object result;
            try {
                result = eval.run(check.expression());
            } catch (OutOfBudget e) {
                return List.of(e.getMessage());
            } catch (CelEvaluationException e) {
                denials.addAll(failure(errorText(check.expression(), e)));
                continue;
            }
            if (!Boolean.TRUE.equals(result)) {
                denials.add(message(check, eval));
            }
        }
        return denials;
    }

    private List<String> failure(String message) {
        return code.failClosed() ? List.of(message) : List.of();
    }

    private static String message(Check check, Evaluation eval) {
        if (check.message() != null) {
            try {
                if (eval.run(check.message()) instanceof String text) {
                    String trimmed = text.strip();
                    if (!trimmed.isEmpty() && trimmed.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                            <= MAX_MESSAGE_BYTES && !trimmed.contains("\n")) {
                        return trimmed;
                    }
                }
            } catch (CelEvaluationException | OutOfBudget e) {
                // as the API server: a failing messageExpression falls back to the message
            }
        }
        String message = check.validation().message().strip();
        return message.isEmpty() ? "failed expression: " + check.validation().expression().strip() : message;
    }

    /** The API server's text for an expression that failed: {@code expression '...' resulted in error: ...}. */
    private static String errorText(Expression expression, CelEvaluationException e) {
        return "expression '" + expression.text() + "' resulted in error: " + reason(e);
    }

    /**
     * cel-go's text of an error: the innermost failing variable wraps it as the API server's composition does
     * ({@code composited variable "X" fails to evaluate: ...}, nested once per variable); dev.cel's own text loses
     * its position prefix ({@code evaluation error at <input>:12: }), which cel-go's has not, and is reworded.
     */
    static String reason(CelEvaluationException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof VariableFailed v) {
                return v.getMessage();
            }
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return CelGoErrors.text(message.replaceFirst("^evaluation error(?: at <input>:\\d+)?: ", ""));
    }

    /** One constraint's evaluation: the activation, the memoised variables, and the cost spent so far. */
    private final class Evaluation {
        final Map<String, Object> activation = new HashMap<>();
        final Map<String, Object> values = new HashMap<>();
        long budget;
        long spent;
        long limit;

        Evaluation(Input input, Object constraint) {
            activation.put(OBJECT, input.object());
            activation.put(OLD_OBJECT, input.oldObject());
            activation.put(REQUEST, input.request());
            activation.put(NAMESPACE_OBJECT, input.namespaceObject());
            activation.put(PARAMS, constraint);
            activation.put(VARIABLES, new LazyVariables(variables.keySet(), this::variable));
        }

        /** Runs one top-level expression; its cost (with the variables it evaluates first) counts against both limits. */
        Object run(Expression expression) throws CelEvaluationException {
            limit = Math.min(PER_CALL_LIMIT, budget);
            spent = 0;
            Object result = trace(expression);
            budget -= spent;
            return result;
        }

        private Object trace(Expression expression) throws CelEvaluationException {
            try {
                // A resolver, not the map: dev.cel copies a map activation into an ImmutableMap on every call.
                return expression.program().trace(name -> Optional.ofNullable(activation.get(name)),
                        (expr, value) -> charge(value));
            } catch (CelEvaluationException e) {
                OutOfBudget out = outOfBudget(e);
                if (out != null) {
                    throw out;
                }
                throw e;
            }
        }

        private void charge(Object value) {
            spent += CostModel.cost(value);
            if (spent > limit) {
                throw new OutOfBudget(limit < PER_CALL_LIMIT ? OUT_OF_BUDGET
                        : "operation cancelled: actual cost limit exceeded");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new OutOfBudget("operation interrupted");
            }
        }

        private Object variable(String name) {
            if (values.containsKey(name)) {
                Object value = values.get(name);
                if (value instanceof VariableFailed failed) {
                    throw failed;
                }
                return value;
            }
            try {
                Object value = trace(variables.get(name));
                values.put(name, value);
                return value;
            } catch (CelEvaluationException e) {
                VariableFailed failed = new VariableFailed(name, e);
                values.put(name, failed);
                throw failed;
            }
        }
    }

    private static OutOfBudget outOfBudget(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfBudget out) {
                return out;
            }
        }
        return null;
    }

    /** The cost limit or budget ran out: evaluation stops at once. */
    static final class OutOfBudget extends RuntimeException {
        OutOfBudget(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A variable's evaluation failed; the expression reading it fails with this error, worded as [K8S]
     * apiserver/pkg/admission/plugin/cel/composition.go does.
     */
    static final class VariableFailed extends RuntimeException {
        VariableFailed(String name, CelEvaluationException cause) {
            super("composited variable \"" + name + "\" fails to evaluate: " + reason(cause), cause, false, false);
        }
    }

}
