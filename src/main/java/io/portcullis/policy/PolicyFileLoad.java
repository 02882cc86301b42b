package io.portcullis.policy;

import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * One reload of the policy files, which never lets an error switch off what was in force. A file that cannot be
 * read or parsed (half-written, or broken) contributes the objects it put in force at the previous load; an object
 * that does not load (a template whose Rego does not compile, a constraint its template refuses) is replaced by
 * the version of it (same kind, namespace and name) that the same file put in force before. Gatekeeper does the
 * same in a cluster: a template or constraint update it cannot ingest leaves the previous version running.
 *
 * <p>Every problem is recorded against its file, for the log, {@code /actuator/info}, the readiness details and
 * the {@code portcullis_policy_files_in_error} gauge.
 */
final class PolicyFileLoad {

    /** Loads one object into what is being built; answers null, or what is wrong with the object. */
    @FunctionalInterface
    interface Loader {
        String load(ObjectNode object);
    }

    private final InForce previous;
    private final Map<Path, Map<String, ObjectNode>> taken = new LinkedHashMap<>();
    private final Map<Path, List<String>> errors = new LinkedHashMap<>();

    PolicyFileLoad(InForce previous) {
        this.previous = previous;
    }

    /**
     * The file's objects (without the sample AdmissionReviews that sit beside constraints in examples/), or, when
     * it cannot be read or parsed, the objects it put in force at the previous load.
     */
    List<ObjectNode> read(Path file) {
        try {
            return Manifests.readObjects(file).stream()
                    .filter(o -> !"AdmissionReview".equals(o.path("kind").asString()))
                    .toList();
        } catch (ManifestException e) {
            List<ObjectNode> kept = previous.objects(file);
            error(file, e.getMessage() + (kept.isEmpty() ? "" : keptNote(kept.size())));
            return kept;
        }
    }

    /**
     * Loads the object from the file. If it does not load, the version of it that this file put in force before
     * is loaded instead, when there is one and it still loads.
     */
    void take(Path file, ObjectNode object, Loader loader) {
        String problem = loader.load(object);
        if (problem == null) {
            remember(file, object);
            return;
        }
        ObjectNode lastGood = previous.object(file, identity(object));
        if (lastGood != null && !lastGood.equals(object) && loader.load(lastGood) == null) {
            remember(file, lastGood);
            error(file, problem + " (the last good version stays in force)");
        } else {
            error(file, problem);
        }
    }

    /** Records a problem of the file that does not concern one object's loading. */
    void error(Path file, String message) {
        String prefix = file + ": ";
        errors.computeIfAbsent(file, f -> new ArrayList<>())
                .add(message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }

    /** What this load put in force, file by file: the fallback of the next load. */
    InForce inForce() {
        return new InForce(taken);
    }

    /** The files in error and their problems, in the order they were found. */
    Map<Path, List<String>> errors() {
        return errors;
    }

    /** Every problem as one line, {@code file: problem}. */
    List<String> problems() {
        List<String> lines = new ArrayList<>();
        errors.forEach((file, messages) -> messages.forEach(m -> lines.add(file + ": " + m)));
        return lines;
    }

    private void remember(Path file, ObjectNode object) {
        taken.computeIfAbsent(file, f -> new LinkedHashMap<>()).put(identity(object), object);
    }

    private static String keptNote(int objects) {
        return " (its last good version stays in force: " + objects + (objects == 1 ? " object)" : " objects)");
    }

    /** Kind, namespace and name: what makes two versions of an object the same object. */
    static String identity(ObjectNode object) {
        return object.path("kind").asString("") + " " + JsonFields.namespace(object) + "/" + JsonFields.name(object);
    }

    /** The objects each file put in force at one load. Immutable. */
    static final class InForce {
        static final InForce NONE = new InForce(Map.of());

        private final Map<Path, Map<String, ObjectNode>> byFile;

        private InForce(Map<Path, Map<String, ObjectNode>> byFile) {
            Map<Path, Map<String, ObjectNode>> copy = new LinkedHashMap<>();
            byFile.forEach((file, objects) -> copy.put(file, Collections.unmodifiableMap(new LinkedHashMap<>(objects))));
            this.byFile = Collections.unmodifiableMap(copy);
        }

        List<ObjectNode> objects(Path file) {
            return List.copyOf(byFile.getOrDefault(file, Map.of()).values());
        }

        ObjectNode object(Path file, String identity) {
            return byFile.getOrDefault(file, Map.of()).get(identity);
        }
    }
}
