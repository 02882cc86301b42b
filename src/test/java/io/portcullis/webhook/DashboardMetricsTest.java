package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard queries exists on /actuator/prometheus of the server as {@code bin/run} starts
 * it, once it has answered a validation, a mutation and a refusal (counters appear with their first event). The
 * audit's metrics exist only where the audit runs (in a cluster): HelmChartE2EIT checks them there.
 */
class DashboardMetricsTest {
    private static final Path PROJECT = GatekeeperLibrary.PROJECT;
    /** Registered by the audit, which runs only with policies from the cluster. */
    private static final Set<String> AUDIT = Set.of("gatekeeper_violations", "gatekeeper_audit_duration_seconds_bucket",
            "gatekeeper_audit_last_run_time", "gatekeeper_audit_last_run_end_time");

    @TempDir
    static Path certs;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        // A 64 MB memory budget, so that one large review is refused (413) and the refusal counter exists.
        server = TestServer.startApplication(certs, "portcullis.webhook.memory-budget=64MB");
        server.awaitReady(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        String pod = Files.readString(PROJECT.resolve("examples/requests/pod-without-seccomp.json"));
        assertThat(server.post("/v1/admit", pod).body()).contains("\"allowed\":false");
        assertThat(server.post("/v1/mutate", pod).body()).contains("\"allowed\":true");
        assertThat(server.post("/v1/admit", WebhookServerTest.review("admission.k8s.io/v1", "u-huge", hugePod())).body())
                .contains("\"code\":413");

        HttpResponse<String> scrape = server.get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        Set<String> exported = DashboardMetrics.exported(scrape.body());
        Set<String> queried = DashboardMetrics.queried();
        assertThat(queried).as("the dashboard's metrics").contains("gatekeeper_validation_request_count_total",
                "gatekeeper_validation_request_duration_seconds_bucket", "portcullis_webhook_refused_requests_total");

        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertThat(missing).as("queried by " + DashboardMetrics.DASHBOARD + " but not on /actuator/prometheus")
                .isSubsetOf(AUDIT);
        assertThat(queried).containsAll(AUDIT);
    }

    /** 40,000 env entries: the cost model puts it above a 64 MB budget, so it is refused before it is parsed. */
    private static String hugePod() {
        StringBuilder env = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            env.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"name\":\"VAR_%06d\",\"value\":\"v%06d\"}", i, i));
        }
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"c\",\"image\":\"nginx\",\"env\":[" + env + "]}]}}";
    }
}
