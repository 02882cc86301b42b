package io.portcullis.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The metrics the Grafana dashboard (charts/portcullis/dashboards/portcullis.json) queries, and those a scrape has. */
public final class DashboardMetrics {
    public static final Path DASHBOARD = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath()
            .normalize().resolve("charts/portcullis/dashboards/portcullis.json");
    /** Portcullis's and Gatekeeper's metric names in PromQL; functions, labels and keywords do not match. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:gatekeeper|portcullis)_[a-z_]+\\b");
    /** The sample name at the start of a line of Prometheus's text format. */
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private DashboardMetrics() {
    }

    /** Every metric named in a panel query or template variable of the dashboard. */
    public static Set<String> queried() {
        JsonNode dashboard;
        try {
            dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(matches(METRIC, target.path("expr").asString("")));
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            names.addAll(matches(METRIC, variable.at("/query/query").asString("")));
        }
        return names;
    }

    /** The sample names in a scrape of /actuator/prometheus. */
    public static Set<String> exported(String scrape) {
        Matcher m = SAMPLE.matcher(scrape);
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
