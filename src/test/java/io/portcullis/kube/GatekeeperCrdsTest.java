package io.portcullis.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.portcullis.constraint.ConstraintSchema;
import io.portcullis.constraint.ConstraintTemplate;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.StructuralSchema;
import io.portcullis.constraint.TemplateParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's CRDs in k8s/crds (ConstraintTemplate, Config, SyncSet) as Gatekeeper ships them, and the constraint
 * CRDs generated for the gatekeeper-library's templates: structural, so a real API server accepts them, and the
 * library's templates go through the ConstraintTemplate schema with nothing pruned.
 */
class GatekeeperCrdsTest {
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    private static Map<String, ObjectNode> crds() {
        return CrdInstaller.manifests(Path.of(System.getProperty("portcullis.project.dir", ".")).resolve("k8s/crds"))
                .stream().collect(Collectors.toMap(JsonFields::name, c -> c));
    }

    private static JsonNode version(JsonNode crd, String name) {
        for (JsonNode version : crd.at("/spec/versions")) {
            if (name.equals(version.path("name").asString())) {
                return version;
            }
        }
        throw new AssertionError("no version " + name);
    }

    @Test
    void gatekeepersOwnCrdsAreAsGatekeeperShipsThem() {
        Map<String, ObjectNode> crds = crds();
        JsonNode templates = crds.get("constrainttemplates.templates.gatekeeper.sh");
        JsonNode config = crds.get("configs.config.gatekeeper.sh");
        JsonNode syncSets = crds.get("syncsets.syncset.gatekeeper.sh");

        assertThat(templates.at("/spec/scope").asString()).isEqualTo("Cluster");
        assertThat(config.at("/spec/scope").asString()).isEqualTo("Namespaced");
        assertThat(syncSets.at("/spec/scope").asString()).isEqualTo("Cluster");
        assertThat(KubernetesPolicySourceTest.fields(templates.at("/spec/versions"), "name"))
                .containsExactly("v1", "v1beta1", "v1alpha1");
        assertThat(version(templates, "v1").path("storage").asBoolean()).isTrue();
        for (String v : List.of("v1", "v1beta1", "v1alpha1")) {
            JsonNode version = version(templates, v);
            assertThat(version.path("served").asBoolean()).isTrue();
            assertThat(version.at("/subresources/status").isObject()).isTrue();
            JsonNode validation = version.at("/schema/openAPIV3Schema/properties/spec/properties/crd/properties/spec"
                    + "/properties/validation");
            boolean legacy = !v.equals("v1");
            assertThat(validation.at("/default/legacySchema").asBoolean()).as(v).isEqualTo(legacy);
            assertThat(validation.at("/properties/legacySchema/default").asBoolean()).as(v).isEqualTo(legacy);
            assertThat(validation.at("/properties/openAPIV3Schema/x-kubernetes-preserve-unknown-fields").asBoolean())
                    .isTrue();
            JsonNode byPod = version.at("/schema/openAPIV3Schema/properties/status/properties/byPod/items");
            assertThat(byPod.path("x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
            assertThat(byPod.at("/properties/errors/items/required").toString()).isEqualTo("[\"code\",\"message\"]");
        }
        assertThat(version(config, "v1alpha1").at("/subresources/status").isObject()).isTrue();
        assertThat(version(syncSets, "v1alpha1").at("/schema/openAPIV3Schema/properties/spec/properties/gvks/items"
                + "/properties").propertyNames()).containsExactlyInAnyOrder("group", "version", "kind");
        for (JsonNode crd : List.of(templates, config, syncSets)) {
            for (JsonNode version : crd.at("/spec/versions")) {
                assertThat(StructuralSchema.missingTypes(version.at("/schema/openAPIV3Schema"), JsonFields.name(crd)))
                        .as(JsonFields.name(crd) + " is structural").isEmpty();
            }
        }
    }

    @Test
    void theLibrarysTemplatesPassTheTemplateSchemaAndTheirConstraintCrdsAreStructural() throws Exception {
        Path library = Path.of(System.getProperty("portcullis.project.dir", "."))
                .resolve("../shared/conformance/gatekeeper-library/library").normalize();
        if (!Files.isDirectory(library)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("gatekeeper-library corpus not found at " + library);
            }
            Assumptions.abort("gatekeeper-library corpus not found at " + library + "; skipping outside CI");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(library)) {
            files = walk.filter(p -> p.getFileName().toString().equals("template.yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(30);
        JsonNode templates = crds().get("constrainttemplates.templates.gatekeeper.sh");
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            ObjectNode template = Manifests.readObjects(file).getFirst();
            String version = versionOf(template);
            JsonNode schema = version(templates, version).at("/schema/openAPIV3Schema");
            Schema validator = SCHEMAS.getSchema(schema);
            for (Error error : validator.validate(template)) {
                problems.add(file + ": " + error.getMessage());
            }
            StructuralSchema.unknownFields(template, schema).forEach(f -> problems.add(file + ": pruned " + f));

            ConstraintTemplate parsed = TemplateParser.parse(template, file.toString());
            ObjectNode crd = ConstraintCrd.of(parsed, new ConstraintSchema(parsed.parameters()), template);
            for (JsonNode v : crd.at("/spec/versions")) {
                JsonNode openApi = v.at("/schema/openAPIV3Schema");
                StructuralSchema.missingTypes(openApi, "openAPIV3Schema").forEach(e -> problems.add(file + ": " + e));
                assertThat(openApi.at("/properties/metadata/properties").propertyNames()).containsExactly("name");
            }
            assertThat(JsonFields.name(crd)).isEqualTo(parsed.kind().toLowerCase() + ".constraints.gatekeeper.sh");
        }
        assertThat(problems).isEmpty();
    }

    private static String versionOf(JsonNode template) {
        String apiVersion = template.path("apiVersion").asString();
        return apiVersion.substring(apiVersion.indexOf('/') + 1);
    }
}
