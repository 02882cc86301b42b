package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.constraint.RegoOutline.HeadKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegoOutlineTest {
    static RegoOutline outline(String source, boolean v1) {
        return RegoOutline.of(source, v1).orElseThrow();
    }

    @Test
    void packageImportsAndRules() {
        RegoOutline o = outline("""
                # a comment mentioning data.secret and package nothing
                package k8s.foo["bar-baz"]

                import future.keywords.in
                import data.lib.helpers as h

                default allow = false

                violation[{"msg": msg}] {
                  msg := "x"
                } else = y {
                  true
                }

                deny[k] = v { k := 1; v := 2 }
                is_ok(x) { x }
                """, false);
        assertThat(o.packagePath()).containsExactly("k8s", "foo", "bar-baz");
        assertThat(o.imports()).extracting(RegoOutline.Import::text).containsExactly("future.keywords.in", "data.lib.helpers");
        assertThat(o.rules()).extracting(RegoOutline.Rule::name).containsExactly("allow", "violation", "deny", "is_ok");
        assertThat(o.rules()).extracting(RegoOutline.Rule::head)
                .containsExactly(HeadKind.COMPLETE, HeadKind.PARTIAL_SET, HeadKind.PARTIAL_OBJECT, HeadKind.FUNCTION);
        assertThat(o.rules().get(1).position()).isEqualTo(new RegoOutline.Position(9, 1));
        assertThat(o.dataRefs()).isEmpty();
    }

    @Test
    void regoV1Heads() {
        RegoOutline o = outline("""
                package p
                violation contains {"msg": m} if { m := "x" }
                other[x] if { x := 1 }
                single := 1
                """, true);
        assertThat(o.rules()).extracting(RegoOutline.Rule::head)
                .containsExactly(HeadKind.PARTIAL_SET, HeadKind.PARTIAL_OBJECT, HeadKind.COMPLETE);
    }

    @Test
    void dataReferencesWithTheirConstantPrefix() {
        RegoOutline o = outline("""
                package p
                violation[{"msg": "data.not.a.ref"}] {
                  x := data.inventory.namespace[ns]["v1"].Pod[name]
                  data["lib"].foo.bar(x)
                  input.review.object.data.x
                  y := {"data": data[z]}
                  `raw data.string`
                }
                """, false);
        assertThat(o.dataRefs()).extracting(RegoOutline.Ref::text)
                .containsExactly("data.inventory.namespace[ns].v1.Pod[name]", "data.lib.foo.bar", "data[z]");
        assertThat(o.dataRefs()).extracting(RegoOutline.Ref::constantPrefix).containsExactly(
                List.of("data", "inventory", "namespace"), List.of("data", "lib", "foo", "bar"), List.of("data"));
        assertThat(o.dataRefs().getFirst().position()).isEqualTo(new RegoOutline.Position(3, 8));
    }

    @Test
    void httpSendCalls() {
        RegoOutline o = outline("package p\nviolation[{\"msg\": \"m\"}] {\n  r := http.send({})\n  r.http.send\n}\n", false);
        assertThat(o.httpSendCalls()).containsExactly(new RegoOutline.Position(3, 8));
    }

    @Test
    void untokenisableSourceIsLeftToOpa() {
        assertThat(RegoOutline.of("package p\nx := \"unterminated\n", false)).isEmpty();
        assertThat(RegoOutline.of("package p\nx := `unterminated\n", false)).isEmpty();
    }
}
