package io.portcullis.webhook;

import static io.portcullis.webhook.AdmissionReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The README's commands: the server started as {@code bin/run} starts it (application.yaml's defaults, run from
 * the project directory: constraint-templates/, examples/constraints, examples/data, examples/mutations), only
 * on a free port and with certificates in a temp directory, answering the example requests as the README says.
 */
class ReadmeExamplesTest {

    private static final Path PROJECT = GatekeeperLibrary.PROJECT;

    @TempDir
    static Path certs;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Path.of("").toAbsolutePath().normalize())
                .as("the defaults are relative paths: tests run from the project directory, as bin/run does")
                .isEqualTo(PROJECT);
        server = TestServer.startApplication(certs);
        server.awaitReady(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void podWithoutSeccompIsDeniedWithOneLinePerContainer() throws Exception {
        JsonNode response = post("/v1/admit", "pod-without-seccomp.json");

        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/code").intValue()).isEqualTo(403);
        assertThat(response.at("/status/reason").stringValue()).isEqualTo("Forbidden");
        String unconfined = " has no seccomp profile: seccompProfile is set neither on the container nor on the pod,"
                + " so it would run Unconfined; allowed types: Localhost, RuntimeDefault";
        assertThat(response.at("/status/message").stringValue()).isEqualTo(String.join("\n",
                "[pods-require-seccomp-profile] container \"metrics\"" + unconfined,
                "[pods-require-seccomp-profile] container \"nginx\"" + unconfined,
                "[pods-require-seccomp-profile] initContainer \"setup\"" + unconfined));
        assertThat(response.has("warnings")).as("AppArmor and SELinux settings are unset, which both accept").isFalse();
    }

    @Test
    void podWithSeccompIsAllowedWithoutWarnings() throws Exception {
        JsonNode response = post("/v1/admit", "pod-with-seccomp.json");

        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.at("/status/code").intValue()).isEqualTo(200);
        assertThat(response.has("warnings")).isFalse();
    }

    @Test
    void mutationBindsTheExampleProfileToTheNginxContainer() throws Exception {
        JsonNode response = post("/v1/mutate", "pod-without-seccomp.json");

        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.path("patchType").stringValue()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").stringValue()));
        JsonNode pod = JSON.readTree(Files.readString(PROJECT.resolve("examples/requests/pod-without-seccomp.json")))
                .at("/request/object");
        JsonNode patched = JsonPatch.apply(patch, pod);
        for (JsonNode container : patched.at("/spec/containers")) {
            JsonNode profile = container.at("/securityContext/seccompProfile");
            if (container.path("image").stringValue().equals("nginx:1.27")) {
                assertThat(profile.path("type").stringValue()).isEqualTo("Localhost");
                assertThat(profile.path("localhostProfile").stringValue()).isEqualTo("operator/nginx-1.27.json");
            } else {
                assertThat(profile.isMissingNode()).as(container.toString()).isTrue();
            }
        }
    }

    private static JsonNode post(String path, String example) throws Exception {
        String body = Files.readString(PROJECT.resolve("examples/requests").resolve(example));
        HttpResponse<String> http = server.post(path, body);
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(http.body());
        assertThat(answer.at("/response/uid").stringValue())
                .isEqualTo(JSON.readTree(body).at("/request/uid").stringValue());
        return answer.path("response");
    }
}
