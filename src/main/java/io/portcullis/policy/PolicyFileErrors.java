package io.portcullis.policy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The policy files in error right now (standalone mode), each with its problems: what the gauge
 * {@code portcullis_policy_files_in_error} counts and the readiness probe's details list (health contributor
 * {@code policyFiles}). It stays UP: a file in error keeps its last good version in force (see
 * {@link PolicyFileLoad}), so the server still enforces what it enforced, but someone should fix the file.
 */
public final class PolicyFileErrors implements HealthIndicator {

    static final String GAUGE = "portcullis_policy_files_in_error";

    private volatile Map<String, List<String>> byFile = Map.of();

    public PolicyFileErrors(MeterRegistry registry) {
        Gauge.builder(GAUGE, this, errors -> errors.byFile.size())
                .description("Policy files that do not parse or load; each keeps its last good version in force")
                .register(registry);
    }

    /** Replaces the files in error with these (all of them, as one load found them). */
    void replace(Map<Path, List<String>> errors) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        errors.forEach((file, problems) -> copy.put(file.toString(), List.copyOf(problems)));
        byFile = Collections.unmodifiableMap(copy);
    }

    /** File name to its problems. */
    public Map<String, List<String>> byFile() {
        return byFile;
    }

    @Override
    public Health health() {
        Map<String, List<String>> now = byFile;
        return now.isEmpty() ? Health.up().build() : Health.up().withDetail("filesInError", now).build();
    }
}
