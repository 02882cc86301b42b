package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import io.portcullis.match.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs gator Suites as {@code gator verify} does ([GK] pkg/gator/verify/runner.go): per test, the template and the
 * constraint are loaded (a test marked {@code invalid} passes only when the constraint fails schema validation);
 * each case then starts from a fresh client with the template, the constraint and the case's inventory, reviews
 * its one object (or AdmissionReview) at the gator enforcement point, and checks every assertion against all
 * results. A test's {@code expansion:} file (ExpansionTemplates) is loaded once the constraint is known to load;
 * each case's object (not an AdmissionReview) is then expanded and its resultants' results count with its own, as
 * gator verify aggregates them. Compiled templates are shared through the {@link TemplateCompiler}'s cache.
 */
public final class SuiteRunner {
    private static final String EXPANSION_GROUP = "expansion.gatekeeper.sh";
    private static final String EXPANSION_KIND = "ExpansionTemplate";

    private final TemplateCompiler compiler;
    private final SuiteExpansion expansion;

    /** What happened to one case, or to a whole test that failed before its cases ({@code caseName} null). */
    public record Outcome(Path suite, String test, String caseName, boolean skipped, String error) {
        public boolean passed() {
            return !skipped && error == null;
        }

        public boolean failed() {
            return !skipped && error != null;
        }

        public String label() {
            return caseName == null ? test : test + "/" + caseName;
        }
    }

    /**
     * gator's {@code --run}: a regex selecting tests or cases by name (unanchored), or {@code test//case} to
     * select cases within tests. Null or empty runs everything.
     */
    public record Filter(Pattern test, Pattern kase, boolean split) {
        public static final Filter ALL = new Filter(null, null, false);

        public static Filter parse(String run) {
            if (run == null || run.isEmpty()) {
                return ALL;
            }
            int sep = run.indexOf("//");
            if (sep < 0) {
                Pattern p = Pattern.compile(run);
                return new Filter(p, p, false);
            }
            if (run.indexOf("//", sep + 2) >= 0) {
                throw new IllegalArgumentException("--run may contain at most one \"//\": " + run);
            }
            String t = run.substring(0, sep);
            String c = run.substring(sep + 2);
            return new Filter(t.isEmpty() ? null : Pattern.compile(t), c.isEmpty() ? null : Pattern.compile(c), true);
        }

        boolean matchesTest(Suite.Test t) {
            if (split) {
                return test == null || test.matcher(t.name()).find();
            }
            return test == null || test.matcher(t.name()).find()
                    || t.cases().stream().anyMatch(c -> kase.matcher(c.name()).find());
        }

        boolean matchesCase(Suite.Test t, Suite.Case c) {
            if (split) {
                return matchesTest(t) && (kase == null || kase.matcher(c.name()).find());
            }
            return test == null || test.matcher(t.name()).find() || kase.matcher(c.name()).find();
        }
    }

    /** A runner that refuses tests with an {@code expansion:} file ({@link SuiteExpansion#UNSUPPORTED}). */
    public SuiteRunner(TemplateCompiler compiler) {
        this(compiler, SuiteExpansion.UNSUPPORTED);
    }

    public SuiteRunner(TemplateCompiler compiler, SuiteExpansion expansion) {
        this.compiler = compiler;
        this.expansion = expansion;
    }

    public List<Outcome> run(Suite suite, Filter filter) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Suite.Test test : suite.tests()) {
            if (suite.skip() || test.skip() || !filter.matchesTest(test)) {
                outcomes.add(new Outcome(suite.path(), test.name(), null, true, null));
                continue;
            }
            outcomes.addAll(runTest(suite, test, filter));
        }
        return outcomes;
    }

    private List<Outcome> runTest(Suite suite, Suite.Test test, Filter filter) {
        Path dir = suite.path().toAbsolutePath().getParent();
        ConstraintTemplate template;
        JsonNode constraint;
        try {
            template = readTemplate(dir, test.template());
            constraint = readConstraint(dir, test.constraint());
        } catch (SuiteException e) {
            return List.of(testFailure(suite, test, e.getMessage()));
        }

        // Does the constraint load at all? An "invalid" test wants exactly a schema validation failure.
        try {
            Validator validator = new Validator(compiler);
            validator.addTemplate(template);
            validator.addConstraint(constraint);
            if (test.invalid()) {
                return List.of(testFailure(suite, test,
                        "constraint is valid: got no error but want a schema validation failure"));
            }
        } catch (InvalidTemplateException e) {
            return List.of(testFailure(suite, test, "adding template: " + e.getMessage()));
        } catch (InvalidConstraintException e) {
            if (test.invalid() && e.isSchemaError()) {
                return List.of(new Outcome(suite.path(), test.name(), null, false, null));
            }
            String want = test.invalid() ? " but want a schema validation failure" : "";
            return List.of(testFailure(suite, test, "adding constraint: " + e.getMessage() + want));
        }
        if (test.invalid()) {
            return List.of(new Outcome(suite.path(), test.name(), null, false, null));
        }
        // As gator: the expansion is loaded after the constraint, and an expansion that does not load fails the test.
        SuiteExpansion.CaseExpansion caseExpansion;
        try {
            caseExpansion = test.expansion().isEmpty() ? null : expansion.load(readExpansion(dir, test.expansion()));
        } catch (SuiteException | SuiteExpansion.ExpansionFailure e) {
            return List.of(testFailure(suite, test, e.getMessage()));
        }

        List<Outcome> outcomes = new ArrayList<>();
        for (Suite.Case c : test.cases()) {
            if (c.skip() || !filter.matchesCase(test, c)) {
                outcomes.add(new Outcome(suite.path(), test.name(), c.name(), true, null));
                continue;
            }
            String error;
            try {
                error = runCase(dir, template, constraint, caseExpansion, c);
            } catch (SuiteException | InvalidTemplateException | InvalidConstraintException | ReviewException
                    | SuiteExpansion.ExpansionFailure e) {
                error = e.getMessage();
            }
            outcomes.add(new Outcome(suite.path(), test.name(), c.name(), false, error));
        }
        return outcomes;
    }

    /**
     * Null when every assertion holds, else the first failure.
     *
     * @param caseExpansion the test's expansion, or null
     */
    private String runCase(Path dir, ConstraintTemplate template, JsonNode constraint,
            SuiteExpansion.CaseExpansion caseExpansion, Suite.Case c) throws SuiteException, InvalidTemplateException,
            InvalidConstraintException, ReviewException, SuiteExpansion.ExpansionFailure {
        if (c.object().isEmpty()) {
            throw new SuiteException("invalid test case: must define object");
        }
        if (c.assertions().isEmpty()) {
            throw new SuiteException("invalid test case: assertions must be non-empty");
        }
        Validator validator = new Validator(compiler);
        validator.addTemplate(template);
        validator.addConstraint(constraint);

        Path objectPath = resolve(dir, c.object());
        List<ObjectNode> objects = read(objectPath);
        if (objects.size() != 1) {
            throw new SuiteException("object file defines multiple objects: \"" + c.object() + "\" defines "
                    + objects.size() + " objects");
        }
        for (String inv : c.inventory()) {
            for (ObjectNode obj : read(resolve(dir, inv))) {
                try {
                    validator.addData(obj);
                } catch (InvalidObjectException e) {
                    throw new SuiteException("unable to add inventory: " + Gvk.of(obj) + " " + JsonFields.describe(obj) + ": "
                            + e.getMessage());
                }
            }
        }
        ObjectNode object = objects.getFirst();
        List<Result> results = validator.review(review(object), EnforcementPoint.GATOR);
        // gator expands case objects only, never an AdmissionReview's object.
        if (caseExpansion != null && !isAdmissionReview(object)) {
            results = caseExpansion.withResultants(object, results, validator);
        }
        List<String> messages = new ArrayList<>();
        for (Result r : results) {
            messages.add(r.msg());
        }
        for (Suite.Assertion a : c.assertions()) {
            String failure = a.check(messages);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private static boolean isAdmissionReview(ObjectNode object) {
        Gvk gvk = Gvk.of(object);
        return gvk.kind().equals("AdmissionReview") && gvk.group().equals("admission.k8s.io");
    }

    private static Review review(ObjectNode object) throws SuiteException {
        try {
            if (isAdmissionReview(object)) {
                for (String field : List.copyOf(object.propertyNames())) {
                    if (!List.of("apiVersion", "kind", "request", "response").contains(field)) {
                        throw new SuiteException("invalid AdmissionReview: unable to convert to an AdmissionReview object, "
                                + "error: unknown field \"" + field + "\"");
                    }
                }
                JsonNode request = object.get("request");
                if (request == null || request.isNull()) {
                    throw new SuiteException("missing AdmissionRequest: request did not actually pass in an AdmissionRequest");
                }
                for (String field : List.copyOf(request.propertyNames())) {
                    if (!Review.requestFields().contains(field)) {
                        throw new SuiteException("invalid AdmissionReview: unable to convert to an AdmissionReview object, "
                                + "error: unknown field \"request." + field + "\"");
                    }
                }
                // gator decodes object and oldObject as unstructured objects, which must name their kind.
                for (String field : List.of("object", "oldObject")) {
                    JsonNode obj = request.get(field);
                    if (obj != null && obj.isObject() && JsonFields.text(obj.path("kind")).isEmpty()) {
                        throw new SuiteException("unable to unmarshal " + field + ": Object 'Kind' is missing in '" + obj + "'");
                    }
                }
                return Review.ofAdmissionRequest(request, null);
            }
            return Review.ofObject(object, null, Matcher.Source.ORIGINAL);
        } catch (InvalidObjectException e) {
            throw new SuiteException(e.getMessage());
        }
    }

    private ConstraintTemplate readTemplate(Path dir, String path) throws SuiteException {
        if (path.isEmpty()) {
            throw new SuiteException("invalid Suite: missing template");
        }
        List<ObjectNode> objects = read(resolve(dir, path));
        if (objects.size() != 1) {
            throw new SuiteException(path + " defines " + objects.size() + " objects, want one ConstraintTemplate");
        }
        try {
            return TemplateParser.parse(objects.getFirst(), path);
        } catch (InvalidTemplateException e) {
            throw new SuiteException("adding template: " + e.getMessage());
        }
    }

    private JsonNode readConstraint(Path dir, String path) throws SuiteException {
        if (path.isEmpty()) {
            throw new SuiteException("invalid Suite: missing constraint");
        }
        List<ObjectNode> objects = read(resolve(dir, path));
        if (objects.size() != 1) {
            throw new SuiteException(path + " defines " + objects.size() + " objects, want one constraint");
        }
        return objects.getFirst();
    }

    /** gator's ReadExpansions: at least one object, and every one an ExpansionTemplate. */
    private static List<ObjectNode> readExpansion(Path dir, String path) throws SuiteException {
        Path file = resolve(dir, path);
        List<ObjectNode> objects;
        try {
            objects = Manifests.readObjects(file);
        } catch (ManifestException e) {
            throw new SuiteException("reading ExpansionTemplate from \"" + file + "\": " + e.getMessage());
        }
        if (objects.isEmpty()) {
            throw new SuiteException("not an Expansion Template: \"" + file + "\"");
        }
        for (ObjectNode object : objects) {
            Gvk gvk = Gvk.of(object);
            if (!gvk.group().equals(EXPANSION_GROUP) || !gvk.kind().equals(EXPANSION_KIND)) {
                throw new SuiteException("not an Expansion Template: \"" + file + "\"");
            }
        }
        return objects;
    }

    private static Path resolve(Path dir, String path) throws SuiteException {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            throw new SuiteException("absolute paths are not allowed in suites: " + path);
        }
        return dir.resolve(p).normalize();
    }

    private static List<ObjectNode> read(Path file) throws SuiteException {
        try {
            List<ObjectNode> objects = Manifests.readObjects(file);
            if (objects.isEmpty()) {
                throw new SuiteException("no objects: path \"" + file + "\" defines no YAML objects");
            }
            return objects;
        } catch (ManifestException e) {
            throw new SuiteException(e.getMessage());
        }
    }

    private static Outcome testFailure(Suite suite, Suite.Test test, String error) {
        return new Outcome(suite.path(), test.name(), null, false, error);
    }

    /** A suite, test or case that is malformed or refers to unreadable files. */
    static final class SuiteException extends Exception {
        SuiteException(String message) {
            super(message);
        }
    }
}
