package io.portcullis.mutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Manifests are read as kubectl reads them, whatever their size. */
class YamlDocumentsTest {
    @Test
    void scalarsFollowGosYamlRules() {
        JsonNode doc = YamlDocuments.read("a: yes\nb: off\nc: 0644\nd: ~\ne: 1.0\nf: \"yes\"\n", "t").getFirst();
        assertThat(doc.toString()).isEqualTo("{\"a\":true,\"b\":false,\"c\":420,\"d\":null,\"e\":1,\"f\":\"yes\"}");
    }

    @Test
    void documentsListsAndJson() {
        List<JsonNode> docs = YamlDocuments.read("""
                ---
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: v1, kind: Namespace, metadata: {name: a}}
                - {apiVersion: v1, kind: Namespace, metadata: {name: b}}
                ---
                ---
                - 1
                - 2
                """, "t");
        assertThat(docs).hasSize(3);
        assertThat(docs.get(2).isArray()).isTrue();
        assertThat(YamlDocuments.read("{\"a\": 1} {\"b\": 2}", "t")).hasSize(2);
        assertThat(YamlDocuments.read("[{\"op\": \"add\"}]", "t").getFirst().isArray()).isTrue();
        assertThatThrownBy(() -> YamlDocuments.read("a: [unclosed", "broken.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broken.yaml");
    }
}
