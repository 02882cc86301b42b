package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.engine.ModuleOutline.HeadKind;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What OPA's parser reports of a module, through the compiler program's outline mode. */
class ModuleOutlineTest {
    static PolicyEngine engine;

    @BeforeAll
    static void start() {
        engine = new PolicyEngine(EngineConfig.defaults());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static Optional<ModuleOutline> parse(String source, boolean v1) {
        return engine.outline(List.of(new RegoModule("m.rego", source, v1 ? RegoVersion.V1 : RegoVersion.V0))).get(0);
    }

    static ModuleOutline outline(String source, boolean v1) {
        return parse(source, v1).orElseThrow();
    }

    @Test
    void packageImportsAndRules() {
        ModuleOutline o = outline("""
                # a comment mentioning data.secret and package nothing
                package k8s.foo["bar-baz"]

                import future.keywords.in
                import data.lib.helpers as h

                default allow = false

                violation[{"msg": msg}] {
                  msg := "x"
                }

                deny[k] = v { k := 1; v := 2 }
                is_ok(x) { x }
                level = "high" { input.x } else = "low" { true }
                """, false);
        assertThat(o.packagePath()).containsExactly("k8s", "foo", "bar-baz");
        assertThat(o.imports()).extracting(ModuleOutline.Import::text).containsExactly("future.keywords.in", "data.lib.helpers");
        assertThat(o.rules()).extracting(ModuleOutline.Rule::name).containsExactly("allow", "violation", "deny", "is_ok", "level");
        assertThat(o.rules()).extracting(ModuleOutline.Rule::head)
                .containsExactly(HeadKind.COMPLETE, HeadKind.PARTIAL_SET, HeadKind.PARTIAL_OBJECT, HeadKind.FUNCTION, HeadKind.COMPLETE);
        assertThat(o.rules().get(1).position()).isEqualTo(new ModuleOutline.Position(9, 1));
        assertThat(o.dataRefs()).isEmpty();
    }

    @Test
    void regoV1Heads() {
        ModuleOutline o = outline("""
                package p
                violation contains {"msg": m} if { m := "x" }
                other[x] if { x := 1 }
                single := 1
                """, true);
        assertThat(o.rules()).extracting(ModuleOutline.Rule::head)
                .containsExactly(HeadKind.PARTIAL_SET, HeadKind.PARTIAL_OBJECT, HeadKind.COMPLETE);
    }

    @Test
    void dataReferencesWithTheirConstantPrefix() {
        ModuleOutline o = outline("""
                package p
                violation[{"msg": "data.not.a.ref"}] {
                  x := data.inventory.namespace[ns]["v1"].Pod[name]
                  data["lib"].foo.bar(x)
                  input.review.object.data.x
                  y := {"data": data[z]}
                  `raw data.string`
                }
                """, false);
        assertThat(o.dataRefs()).extracting(ModuleOutline.Ref::text)
                .containsExactly("data.inventory.namespace[ns].v1.Pod[name]", "data.lib.foo.bar", "data[z]");
        assertThat(o.dataRefs()).extracting(ModuleOutline.Ref::constantPrefix).containsExactly(
                List.of("data", "inventory", "namespace"), List.of("data", "lib", "foo", "bar"), List.of("data"));
        assertThat(o.dataRefs().getFirst().position()).isEqualTo(new ModuleOutline.Position(3, 8));
    }

    @Test
    void httpSendCalls() {
        ModuleOutline o = outline("package p\nviolation[{\"msg\": \"m\"}] {\n  r := http.send({})\n  r.http.send\n}\n", false);
        assertThat(o.httpSendCalls()).containsExactly(new ModuleOutline.Position(3, 8));
    }

    @Test
    void unparseableSourceHasNoOutline() {
        assertThat(parse("package p\nx := \"unterminated\n", false)).isEmpty();
        assertThat(parse("package p\nx := `unterminated\n", false)).isEmpty();
        assertThat(parse("x := 1\n", false)).isEmpty();
    }
}
