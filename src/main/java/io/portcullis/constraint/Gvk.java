package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import tools.jackson.databind.JsonNode;

/** A Kubernetes group, version and kind; the core group is {@code ""}. */
public record Gvk(String group, String version, String kind) {
    public Gvk {
        group = group == null ? "" : group;
        version = version == null ? "" : version;
        kind = kind == null ? "" : kind;
    }

    /** The GVK an object declares through {@code apiVersion} and {@code kind}, as Go's schema.ParseGroupVersion. */
    public static Gvk of(JsonNode object) {
        String apiVersion = JsonFields.text(object.path("apiVersion"));
        String kind = JsonFields.text(object.path("kind"));
        int slash = apiVersion.indexOf('/');
        if (slash < 0) {
            return new Gvk("", apiVersion, kind);
        }
        return new Gvk(apiVersion.substring(0, slash), apiVersion.substring(slash + 1), kind);
    }

    /** {@code v1} for the core group, else {@code group/version}: the key of {@code data.inventory}. */
    public String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public boolean isNamespace() {
        return group.isEmpty() && kind.equals("Namespace");
    }

    @Override
    public String toString() {
        return groupVersion() + ", Kind=" + kind;
    }
}
