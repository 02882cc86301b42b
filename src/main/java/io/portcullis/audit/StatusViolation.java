package io.portcullis.audit;

import io.portcullis.constraint.Enforcement;
import io.portcullis.constraint.Gvk;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Result;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One entry of a constraint's {@code status.violations} ([GK] pkg/audit/manager.go StatusViolation): the object
 * that violates it and the message.
 *
 * @param namespace "" for cluster-scoped objects (then omitted from the JSON)
 * @param message cut to {@value #MESSAGE_LIMIT} bytes as Gatekeeper cuts it
 * @param enforcementAction the constraint's {@code spec.enforcementAction}
 * @param enforcementActions the scoped actions at the audit point when the action is {@code scoped}, else empty
 */
public record StatusViolation(String group, String version, String kind, String namespace, String name,
        String message, String enforcementAction, List<String> enforcementActions) {

    /** Gatekeeper's msgSize: longer messages keep their first 253 bytes and get {@code ...}. */
    public static final int MESSAGE_LIMIT = 256;

    /** The order that decides which entries are kept when there are more than the limit: the smallest are. */
    public static final Comparator<StatusViolation> ORDER = Comparator.comparing(StatusViolation::group)
            .thenComparing(StatusViolation::version)
            .thenComparing(StatusViolation::kind)
            .thenComparing(StatusViolation::namespace)
            .thenComparing(StatusViolation::name)
            .thenComparing(StatusViolation::message)
            .thenComparing(StatusViolation::enforcementAction);

    public StatusViolation {
        enforcementActions = List.copyOf(enforcementActions);
    }

    /** The entry for a result of reviewing {@code object}. */
    public static StatusViolation of(Result result, JsonNode object) {
        Gvk gvk = Gvk.of(object);
        List<String> scoped = result.enforcementAction().equals(Enforcement.SCOPED) ? result.actions() : List.of();
        return new StatusViolation(gvk.group(), gvk.version(), gvk.kind(), JsonFields.namespace(object), JsonFields.name(object),
                truncate(result.msg()), result.enforcementAction(), scoped);
    }

    /**
     * Gatekeeper's truncateString on {@value #MESSAGE_LIMIT} bytes of UTF-8. Go cuts at byte 253 even inside a
     * character (JSON encoding then turns the broken bytes into U+FFFD); this cuts before that character instead,
     * so the text stays valid and never exceeds the limit.
     */
    public static String truncate(String message) {
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MESSAGE_LIMIT) {
            return message;
        }
        int budget = MESSAGE_LIMIT - 3;
        int end = 0;
        int bytes = 0;
        while (end < message.length()) {
            int cp = message.codePointAt(end);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return message.substring(0, end) + "...";
    }

    /** The JSON of the status entry. */
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("group", group);
        node.put("version", version);
        node.put("kind", kind);
        if (!namespace.isEmpty()) {
            node.put("namespace", namespace);
        }
        node.put("name", name);
        node.put("message", message);
        node.put("enforcementAction", enforcementAction);
        if (!enforcementActions.isEmpty()) {
            enforcementActions.forEach(node.putArray("enforcementActions")::add);
        }
        return node;
    }
}
