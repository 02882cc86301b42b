package io.portcullis.expansion;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.portcullis.constraint.Gvk;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.gatekeeper.ApplyTo;
import tools.jackson.databind.JsonNode;

/**
 * Gatekeeper's {@code ExpansionTemplate} ({@code expansion.gatekeeper.sh}, [GK] apis/expansion): objects of the
 * {@code applyTo} kinds are expanded into the {@code generatedGVK} object found at {@code templateSource} (a dotted
 * path such as {@code spec.template}), whose violations are reported on the parent; {@code enforcementAction}, when
 * set, replaces the constraints' own for them.
 */
public record ExpansionTemplate(String name, List<ApplyTo> applyTo, String templateSource, Gvk generatedGvk,
        String enforcementAction) {
    public static final String GROUP = "expansion.gatekeeper.sh";
    public static final String KIND = "ExpansionTemplate";
    private static final Set<String> VERSIONS = Set.of("v1alpha1", "v1beta1");

    public ExpansionTemplate {
        applyTo = List.copyOf(applyTo);
    }

    public static boolean isExpansionTemplate(JsonNode object) {
        Gvk gvk = Gvk.of(object);
        return gvk.group().equals(GROUP) && VERSIONS.contains(gvk.version()) && gvk.kind().equals(KIND);
    }

    /** Parses and validates as Gatekeeper's {@code ValidateTemplate} does, with its messages. */
    public static ExpansionTemplate parse(JsonNode object) throws InvalidExpansionTemplateException {
        String name = JsonFields.name(object);
        if (name.isEmpty()) {
            throw new InvalidExpansionTemplateException("ExpansionTemplate has empty name field");
        }
        if (name.length() >= 64) {
            throw new InvalidExpansionTemplateException("ExpansionTemplate name must be less than 64 characters");
        }
        JsonNode spec = object.path("spec");
        String source = text(spec.path("templateSource"));
        if (source.isEmpty()) {
            throw new InvalidExpansionTemplateException("ExpansionTemplate " + name + " has empty source field");
        }
        JsonNode generated = spec.path("generatedGVK");
        Gvk gvk = new Gvk(text(generated.path("group")), text(generated.path("version")), text(generated.path("kind")));
        if (gvk.group().isEmpty() && gvk.version().isEmpty() && gvk.kind().isEmpty()) {
            throw new InvalidExpansionTemplateException("ExpansionTemplate " + name + " has empty generatedGVK field");
        }
        List<ApplyTo> applyTo = new ArrayList<>();
        for (JsonNode entry : spec.path("applyTo").values()) {
            applyTo.add(new ApplyTo(JsonFields.strings(entry, "groups"), JsonFields.strings(entry, "versions"),
                    JsonFields.strings(entry, "kinds"), List.of()));
        }
        if (applyTo.isEmpty()) {
            throw new InvalidExpansionTemplateException("ExpansionTemplate " + name + " must specify ApplyTo");
        }
        for (ApplyTo entry : applyTo) {
            if (entry.matches(gvk.group(), gvk.version(), gvk.kind(), null)) {
                throw new InvalidExpansionTemplateException("ExpansionTemplate " + name + " generates GVK "
                        + goGvk(gvk) + ", but also applies to that same GVK");
            }
        }
        return new ExpansionTemplate(name, applyTo, source, gvk, text(spec.path("enforcementAction")));
    }

    public boolean appliesTo(Gvk gvk) {
        return applyTo.stream().anyMatch(a -> a.matches(gvk.group(), gvk.version(), gvk.kind(), null));
    }

    /** The name Gatekeeper gives a resultant: the parent's name, "-", the generated kind, in lower case. */
    String resultantName(String parentName) {
        return (parentName + (generatedGvk.kind().isEmpty() ? "" : "-") + generatedGvk.kind()).toLowerCase(Locale.ROOT);
    }

    /** How Go prints a schema.GroupVersionKind with %v. */
    private static String goGvk(Gvk gvk) {
        return gvk.group() + "/" + gvk.version() + ", Kind=" + gvk.kind();
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.asString() : "";
    }

    /** An ExpansionTemplate Gatekeeper would refuse. */
    public static final class InvalidExpansionTemplateException extends Exception {
        public InvalidExpansionTemplateException(String message) {
            super(message);
        }
    }
}
