package io.portcullis.webhook;

import static io.portcullis.webhook.AdmissionReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.portcullis.events.AdmissionViolations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * {@code --log-denies} on the whole standalone server: the README's Pod without a seccomp profile is denied, and
 * each of its violations is logged as Gatekeeper logs it ("denied admission: MSG" with Gatekeeper's fields).
 */
class LogDeniesTest {
    private static final Path PROJECT = GatekeeperLibrary.PROJECT;

    @TempDir
    Path dir;

    @Test
    void eachViolationOfADeniedReviewIsLoggedWithGatekeepersFields() throws Exception {
        try (TestServer server = TestServer.startApplication(dir.resolve("certs"),
                "portcullis.violations.log-denies=true")) {
            server.awaitReady(Duration.ofMinutes(5));
            // Attached once Spring Boot has configured logging (which resets Logback's appenders).
            Logger logger = (Logger) LoggerFactory.getLogger(AdmissionViolations.class);
            ListAppender<ILoggingEvent> lines = new ListAppender<>();
            lines.start();
            logger.addAppender(lines);
            String review = Files.readString(PROJECT.resolve("examples/requests/pod-without-seccomp.json"));
            HttpResponse<String> response = server.post("/v1/admit", review);
            assertThat(JSON.readTree(response.body()).at("/response/allowed").asBoolean(true)).isFalse();
            String denial = JSON.readTree(response.body()).at("/response/status/message").asString();

            List<ILoggingEvent> denies = lines.list.stream()
                    .filter(e -> e.getFormattedMessage().startsWith("denied admission: ")).toList();
            // One line per violation, the same messages the answer carries.
            assertThat(denies).hasSize(denial.split("\n").length);
            for (ILoggingEvent line : denies) {
                Map<String, Object> fields = fields(line);
                String msg = line.getFormattedMessage().substring("denied admission: ".length());
                assertThat(denial).contains("[" + fields.get("constraint_name") + "] " + msg);
                assertThat(fields).containsEntry("process", "admission").containsEntry("event_type", "violation")
                        .containsEntry("constraint_group", "constraints.gatekeeper.sh")
                        .containsEntry("constraint_api_version", "v1beta1")
                        .containsEntry("constraint_kind", "K8sRequiredSeccompProfile")
                        .containsEntry("constraint_action", "deny")
                        .containsEntry("resource_group", "").containsEntry("resource_api_version", "v1")
                        .containsEntry("resource_kind", "Pod")
                        .containsKeys("resource_namespace", "resource_name", "request_username", "details",
                                "constraint_enforcement_actions");
                assertThat(fields.get("resource_name")).isEqualTo(JSON.readTree(review).at("/request/name").asString());
            }
            logger.detachAppender(lines);
        }
    }

    private static Map<String, Object> fields(ILoggingEvent line) {
        Map<String, Object> fields = new HashMap<>();
        for (KeyValuePair pair : line.getKeyValuePairs()) {
            fields.put(pair.key, pair.value);
        }
        return fields;
    }
}
