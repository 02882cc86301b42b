package io.portcullis.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The CRDs in {@code k8s/crds/}: well-formed, one storage version each, status subresource, SPO's printer columns;
 * and objects written for SPO and Gatekeeper validate against them with no field the schema would prune.
 */
class CrdManifestsTest {
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", "."));
    private static final Path CRDS = PROJECT.resolve("k8s/crds");
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    private static final Map<String, String> EXPECTED = Map.of(
            "seccompprofiles.security-profiles-operator.x-k8s.io", "Cluster",
            "selinuxprofiles.security-profiles-operator.x-k8s.io", "Cluster",
            "rawselinuxprofiles.security-profiles-operator.x-k8s.io", "Cluster",
            "apparmorprofiles.security-profiles-operator.x-k8s.io", "Cluster",
            "profilebindings.security-profiles-operator.x-k8s.io", "Namespaced",
            "assign.mutations.gatekeeper.sh", "Cluster",
            "assignmetadata.mutations.gatekeeper.sh", "Cluster",
            "modifyset.mutations.gatekeeper.sh", "Cluster",
            "assignimage.mutations.gatekeeper.sh", "Cluster");

    /** CRD name to the CRD, for the files this test owns. */
    private static Map<String, JsonNode> crds() throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (String name : EXPECTED.keySet()) {
            Path file = CRDS.resolve(name.substring(0, name.indexOf('.')) + ".yaml");
            List<JsonNode> docs = YamlDocuments.read(Files.readString(file), file.toString());
            assertThat(docs).as(file.toString()).hasSize(1);
            out.put(name, docs.getFirst());
        }
        return out;
    }

    @Test
    void everyCrdIsWellFormed() throws Exception {
        for (var e : crds().entrySet()) {
            JsonNode crd = e.getValue();
            assertThat(crd.path("apiVersion").asString()).isEqualTo("apiextensions.k8s.io/v1");
            assertThat(crd.path("kind").asString()).isEqualTo("CustomResourceDefinition");
            assertThat(crd.at("/metadata/name").asString()).isEqualTo(e.getKey());
            assertThat(e.getKey()).isEqualTo(crd.at("/spec/names/plural").asString() + "." + crd.at("/spec/group").asString());
            assertThat(crd.at("/spec/scope").asString()).as(e.getKey()).isEqualTo(EXPECTED.get(e.getKey()));
            int storage = 0;
            for (JsonNode version : crd.at("/spec/versions")) {
                storage += version.path("storage").asBoolean() ? 1 : 0;
                assertThat(version.path("served").asBoolean()).isTrue();
                assertThat(version.at("/subresources/status").isObject()).as(e.getKey() + " status subresource").isTrue();
                assertThat(version.at("/schema/openAPIV3Schema/properties/spec").isObject()).isTrue();
            }
            assertThat(storage).as(e.getKey() + " storage versions").isEqualTo(1);
        }
    }

    @Test
    void servedVersionsAreSposAndGatekeepers() throws Exception {
        Map<String, JsonNode> crds = crds();
        assertThat(versions(crds.get("seccompprofiles.security-profiles-operator.x-k8s.io"))).containsExactly("v1", "v1beta1");
        assertThat(versions(crds.get("selinuxprofiles.security-profiles-operator.x-k8s.io"))).containsExactly("v1", "v1alpha2");
        assertThat(versions(crds.get("apparmorprofiles.security-profiles-operator.x-k8s.io"))).containsExactly("v1", "v1alpha1");
        assertThat(versions(crds.get("profilebindings.security-profiles-operator.x-k8s.io"))).containsExactly("v1", "v1alpha1");
        assertThat(versions(crds.get("assign.mutations.gatekeeper.sh"))).containsExactly("v1", "v1beta1", "v1alpha1");
        assertThat(versions(crds.get("assignimage.mutations.gatekeeper.sh"))).containsExactly("v1alpha1");
        JsonNode seccompColumns = crds.get("seccompprofiles.security-profiles-operator.x-k8s.io").at("/spec/versions/0/additionalPrinterColumns");
        assertThat(seccompColumns.findValuesAsString("name")).containsExactly("Status", "Age", "LocalhostProfile");
        assertThat(seccompColumns.findValuesAsString("jsonPath")).contains(".status.localhostProfile");
        JsonNode selinuxColumns = crds.get("selinuxprofiles.security-profiles-operator.x-k8s.io").at("/spec/versions/0/additionalPrinterColumns");
        assertThat(selinuxColumns.findValuesAsString("jsonPath")).containsExactly(".status.usage", ".status.status");
        assertThat(crds.get("profilebindings.security-profiles-operator.x-k8s.io").at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/profileRef/properties/kind/enum").toString())
                .isEqualTo("[\"SeccompProfile\",\"SelinuxProfile\",\"AppArmorProfile\"]");
    }

    @Test
    void sposDocumentedObjectsApplyUnchanged() throws Exception {
        Path examples = PROJECT.resolve("src/test/resources/mutation-spo/examples.yaml");
        List<JsonNode> objects = YamlDocuments.read(Files.readString(examples), examples.toString());
        assertThat(objects).hasSize(11);
        assertValid(objects, crds());

        // The checks are real: a wrong enum value and an unknown field are both caught.
        JsonNode seccompSchema = crds().get("seccompprofiles.security-profiles-operator.x-k8s.io").at("/spec/versions/0/schema/openAPIV3Schema");
        JsonNode bad = YamlDocuments.read("""
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata: {name: bad}
                spec: {defaultAction: SCMP_ACT_MAYBE, sycalls: []}
                """, "bad").getFirst();
        assertThat(SCHEMAS.getSchema(seccompSchema).validate(bad)).isNotEmpty();
        assertThat(prunedFields("", bad, seccompSchema)).containsExactly("/spec/sycalls");
    }

    @Test
    void gatekeeperLibraryMutatorsApplyUnchanged() throws Exception {
        Path library = PROJECT.resolve("../shared/conformance/gatekeeper-library/mutation").normalize();
        Assumptions.assumeTrue(Files.isDirectory(library) || "true".equals(System.getenv("CI")),
                "gatekeeper-library conformance data not found at " + library);
        List<JsonNode> mutators = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(library)) {
            for (Path file : walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("mutation")).toList()) {
                mutators.addAll(YamlDocuments.read(Files.readString(file), file.toString()));
            }
        }
        assertThat(mutators).hasSizeGreaterThan(10);
        assertValid(mutators, crds());
    }

    private static void assertValid(List<JsonNode> objects, Map<String, JsonNode> crds) {
        for (JsonNode object : objects) {
            String apiVersion = object.path("apiVersion").asString();
            String group = apiVersion.substring(0, apiVersion.indexOf('/'));
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            JsonNode crd = crds.values().stream()
                    .filter(c -> c.at("/spec/group").asString().equals(group)
                            && c.at("/spec/names/kind").asString().equals(object.path("kind").asString()))
                    .findFirst().orElseThrow();
            JsonNode schema = null;
            for (JsonNode v : crd.at("/spec/versions")) {
                if (v.path("name").asString().equals(version)) {
                    schema = v.at("/schema/openAPIV3Schema");
                }
            }
            String what = object.path("kind").asString() + " " + object.at("/metadata/name").asString() + " (" + apiVersion + ")";
            assertThat(schema).as(what + " is served").isNotNull();
            Schema validator = SCHEMAS.getSchema(schema);
            List<String> errors = validator.validate(object).stream().map(Error::toString).toList();
            assertThat(errors).as(what).isEmpty();
            assertThat(prunedFields("", object, schema)).as(what + ": fields the API server would prune").isEmpty();
        }
    }

    /** Fields the structural schema does not declare, which the API server would drop on write. */
    private static List<String> prunedFields(String path, JsonNode value, JsonNode schema) {
        List<String> out = new ArrayList<>();
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) || path.equals("/metadata")) {
            return out;
        }
        if (value.isObject()) {
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (var e : value.properties()) {
                JsonNode child = properties != null ? properties.get(e.getKey()) : null;
                if (child == null && additional != null && additional.isObject()) {
                    child = additional;
                }
                if (child == null) {
                    out.add(path + "/" + e.getKey());
                } else {
                    out.addAll(prunedFields(path + "/" + e.getKey(), e.getValue(), child));
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                out.addAll(prunedFields(path + "/" + i, value.get(i), schema.get("items")));
            }
        }
        return out;
    }

    private static List<String> versions(JsonNode crd) {
        List<String> names = new ArrayList<>();
        crd.at("/spec/versions").forEach(v -> names.add(v.path("name").asString()));
        return names;
    }
}
