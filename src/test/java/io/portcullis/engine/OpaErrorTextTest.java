package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.engine.ModuleOutline.HeadKind;
import io.portcullis.engine.ModuleOutline.Position;
import io.portcullis.engine.ModuleOutline.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wording itself is checked against OPA's Go evaluator in EvaluationErrorTextTest; this covers which rule a
 * row belongs to and what passes through unchanged.
 */
class OpaErrorTextTest {
    static ModuleOutline outline(Rule... rules) {
        return new ModuleOutline(List.of("p"), new Position(1, 1), List.of(), List.of(rules), List.of(), List.of());
    }

    final OpaErrorText text = OpaErrorText.NONE.with("dir:with/colons/t.rego", "template", outline(
            new Rule("v", HeadKind.COMPLETE, new Position(10, 1)),
            new Rule("f", HeadKind.FUNCTION, new Position(3, 1)),
            new Rule("violation", HeadKind.PARTIAL_SET, new Position(20, 1))));

    @Test
    void aRowInsideARuleBelongsToThatRule() {
        assertThat(text.of("dir:with/colons/t.rego:3:1: var assignment conflict"))
                .isEqualTo("template:3: eval_conflict_error: functions must not produce multiple outputs for same inputs");
        // An else branch reports its own row, below the function's head.
        assertThat(text.of("dir:with/colons/t.rego:7:3: var assignment conflict"))
                .isEqualTo("template:7: eval_conflict_error: functions must not produce multiple outputs for same inputs");
        assertThat(text.of("dir:with/colons/t.rego:12:1: var assignment conflict"))
                .isEqualTo("template:12: eval_conflict_error: complete rules must not produce multiple outputs");
        assertThat(text.of("dir:with/colons/t.rego:21:9: object insert conflict"))
                .isEqualTo("template:21: eval_conflict_error: object keys must be unique");
    }

    @Test
    void otherMessagesAndUnknownModulesPassThrough() {
        assertThat(text.of("other.rego:3:1: var assignment conflict")).isEqualTo("other.rego:3:1: var assignment conflict");
        assertThat(OpaErrorText.NONE.of("t.rego:3:1: var assignment conflict")).isEqualTo("t.rego:3:1: var assignment conflict");
        assertThat(text.of("opa_malloc: failed")).isEqualTo("opa_malloc: failed");
        assertThat(text.of(null)).isNull();
    }
}
