package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ManifestsTest {
    @Test
    void plainScalarsAreTypedWithGoYaml11Rules() throws ManifestException {
        JsonNode doc = Manifests.read("""
                a: yes
                b: off
                c: ~
                d: 0755
                e: 0x1F
                f: 1.0
                g: 1.5
                h: "yes"
                i: '0755'
                j: 1_000
                k: on
                l: null
                m:
                big: 12345678901234567890
                o: 2024-01-01
                """, "t").getFirst();
        assertThat(doc.get("a").isBoolean()).isTrue();
        assertThat(doc.get("a").asBoolean()).isTrue();
        assertThat(doc.get("b").asBoolean()).isFalse();
        assertThat(doc.get("c").isNull()).isTrue();
        assertThat(doc.get("d").asLong()).isEqualTo(493);
        assertThat(doc.get("e").asLong()).isEqualTo(31);
        assertThat(doc.get("f").isIntegralNumber()).as("Go marshals float64(1) as 1").isTrue();
        assertThat(doc.get("g").asDouble()).isEqualTo(1.5);
        assertThat(doc.get("h").asString()).isEqualTo("yes");
        assertThat(doc.get("i").asString()).isEqualTo("0755");
        assertThat(doc.get("j").asLong()).isEqualTo(1000);
        assertThat(doc.get("k").asBoolean()).isTrue();
        assertThat(doc.get("l").isNull()).isTrue();
        assertThat(doc.get("m").isNull()).isTrue();
        assertThat(doc.get("big").isBigInteger()).isTrue();
        assertThat(doc.get("o").asString()).isEqualTo("2024-01-01");
    }

    @Test
    void integralFloatsBecomeIntegersWhenTheyFitAnInt64() throws ManifestException {
        // Go writes an integral float64 below 1e21 as integer digits; Kubernetes reads them back as an int64 if they fit.
        JsonNode doc = Manifests.read("a: 1e15\nb: 9.2e18\nc: 1e19\nd: 1e21\ne: -0.0\nf: 0X1f\n", "t").getFirst();
        assertThat(doc.get("a").isLong() || doc.get("a").isInt()).isTrue();
        assertThat(doc.get("a").asLong()).isEqualTo(1_000_000_000_000_000L);
        assertThat(doc.get("b").asLong()).isEqualTo(9_200_000_000_000_000_000L);
        assertThat(doc.get("c").isDouble()).isTrue();
        assertThat(doc.get("d").isDouble()).isTrue();
        assertThat(doc.get("e").isIntegralNumber()).isTrue();
        assertThat(doc.get("f").asLong()).isEqualTo(31);
    }

    @Test
    void infinityAndNaNAreRefusedNamingTheFieldAndFile() {
        assertThatThrownBy(() -> Manifests.read("kind: Pod\nspec:\n  securityContext:\n    runAsUser: .inf\n", "pod.yaml"))
                .isInstanceOf(ManifestException.class)
                .hasMessage("pod.yaml: spec.securityContext.runAsUser: .inf is not a number JSON can hold (kubectl and "
                        + "gator refuse it too) (line 4, column 16)");
        for (String value : List.of("-.inf", "-.Inf", "+.INF", ".nan", ".NaN", "!!float .inf")) {
            assertThatThrownBy(() -> Manifests.read("spec:\n  containers:\n  - name: a\n    x: [1, " + value + "]\n", "p.yaml"))
                    .as(value).isInstanceOf(ManifestException.class)
                    .hasMessageStartingWith("p.yaml: spec.containers[0].x[1]: ");
        }
        assertThatThrownBy(() -> Manifests.read("metadata:\n  annotations:\n    a.b/c: .nan\n", "p.yaml"))
                .hasMessageStartingWith("p.yaml: metadata.annotations[\"a.b/c\"]: .nan ");
    }

    @Test
    void quotedInfinityIsAStringAndAnInfinityKeyKeepsItsText() throws ManifestException {
        JsonNode doc = Manifests.read("a: '.inf'\nb: \".nan\"\n.inf: 1\nc: Infinity\n", "t").getFirst();
        assertThat(doc.get("a").asString()).isEqualTo(".inf");
        assertThat(doc.get("b").asString()).isEqualTo(".nan");
        assertThat(doc.get(".inf").asInt()).isEqualTo(1);
        assertThat(doc.get("c").asString()).isEqualTo("Infinity");
    }

    @Test
    void blockScalarsStayStrings() throws ManifestException {
        JsonNode doc = Manifests.read("rego: |\n  package x\n  violation[{\"msg\": \"no\"}] { true }\n", "t").getFirst();
        assertThat(doc.get("rego").asString()).isEqualTo("package x\nviolation[{\"msg\": \"no\"}] { true }\n");
    }

    @Test
    void severalDocumentsEmptyOnesSkipped() throws ManifestException {
        List<JsonNode> docs = Manifests.read("---\na: 1\n---\n# nothing\n---\nb: 2\n", "t");
        assertThat(docs).hasSize(2);
        assertThat(docs.get(1).get("b").asInt()).isEqualTo(2);
    }

    @Test
    void jsonIsReadToo() throws ManifestException {
        JsonNode doc = Manifests.read("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"n\": 3, \"t\": true}", "t").getFirst();
        assertThat(doc.get("kind").asString()).isEqualTo("Pod");
        assertThat(doc.get("n").asInt()).isEqualTo(3);
        assertThat(doc.get("t").asBoolean()).isTrue();
    }

    @Test
    void anchorsAliasesAndMergeKeys() throws ManifestException {
        JsonNode doc = Manifests.read("""
                base: &b {x: 1, z: 2}
                copy: *b
                merged:
                  <<: *b
                  z: 3
                """, "t").getFirst();
        assertThat(doc.get("copy").get("x").asInt()).isEqualTo(1);
        assertThat(doc.get("merged").get("x").asInt()).isEqualTo(1);
        assertThat(doc.get("merged").get("z").asInt()).isEqualTo(3);
    }

    @Test
    void keysAreTypedToo() throws ManifestException {
        // As with sigs.k8s.io/yaml: the key y is the boolean true, which becomes the JSON key "true".
        JsonNode doc = Manifests.read("y: 1\n1: 2\nname: 3\n", "t").getFirst();
        assertThat(doc.propertyNames()).containsExactly("true", "1", "name");
    }

    @Test
    void badYamlAndNonObjectsAreClearErrors() {
        assertThatThrownBy(() -> Manifests.read("a: [1, 2", "broken.yaml"))
                .isInstanceOf(ManifestException.class).hasMessageStartingWith("cannot parse broken.yaml");
        assertThatThrownBy(() -> Manifests.readObjects("- a\n- b\n", "list.yaml"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("not a Kubernetes object");
    }
}
