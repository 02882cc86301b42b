package io.portcullis.constraint.cel;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The named formats of the Kubernetes CEL {@code format} library ([K8S] apiserver/pkg/cel/library/format.go):
 * {@code format.dns1123Label().validate(s)} answers no value when {@code s} is valid, else the API server's
 * validation messages ([K8S] apimachinery/pkg/util/validation).
 */
public record KubeFormat(String name, Function<String, List<String>> validator) {
    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
    private static final String DNS1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE = "(" + QUALIFIED_NAME + ")?";
    private static final Pattern UUID = Pattern.compile(
            "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$");

    public static final Map<String, KubeFormat> FORMATS = Map.ofEntries(
            format("dns1123Label", s -> dns1123Label(s, false)),
            format("dns1123Subdomain", s -> dns1123Subdomain(s, false)),
            format("dns1035Label", s -> dns1035Label(s, false)),
            format("qualifiedName", KubeFormat::qualifiedName),
            format("dns1123LabelPrefix", s -> dns1123Label(s, true)),
            format("dns1123SubdomainPrefix", s -> dns1123Subdomain(s, true)),
            format("dns1035LabelPrefix", s -> dns1035Label(s, true)),
            format("labelValue", KubeFormat::labelValue),
            format("uri", s -> {
                try {
                    KubeUrl.parse(s);
                    return List.of();
                } catch (IllegalArgumentException e) {
                    return List.of(e.getMessage());
                }
            }),
            format("uuid", s -> UUID.matcher(s).matches() ? List.of() : List.of("does not match the UUID format")),
            format("byte", s -> {
                try {
                    Base64.getDecoder().decode(s);
                    return List.of();
                } catch (IllegalArgumentException e) {
                    return List.of("invalid base64");
                }
            }),
            format("date", s -> {
                try {
                    LocalDate.parse(s);
                    return List.of();
                } catch (DateTimeParseException e) {
                    return List.of("invalid date");
                }
            }),
            format("datetime", s -> {
                try {
                    OffsetDateTime.parse(s);
                    return List.of();
                } catch (DateTimeParseException e) {
                    return List.of("invalid datetime");
                }
            }));

    private static Map.Entry<String, KubeFormat> format(String name, Function<String, List<String>> validator) {
        return Map.entry(name, new KubeFormat(name, validator));
    }

    /** No value when valid, else the validation messages. */
    public Optional<List<String>> validate(String value) {
        List<String> errors = validator.apply(value);
        return errors.isEmpty() ? Optional.empty() : Optional.of(errors);
    }

    static List<String> dns1123Label(String value, boolean prefix) {
        String s = prefix ? maskTrailingDash(value) : value;
        List<String> errors = new ArrayList<>();
        if (s.length() > 63) {
            errors.add(maxLen(63));
        }
        if (!s.matches(LABEL)) {
            errors.add(s.matches(SUBDOMAIN) ? "must not contain dots"
                    : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                            + "and must start and end with an alphanumeric character", LABEL, "my-name", "123-abc"));
        }
        return errors;
    }

    static List<String> dns1123Subdomain(String value, boolean prefix) {
        String s = prefix ? maskTrailingDash(value) : value;
        List<String> errors = new ArrayList<>();
        if (s.length() > 253) {
            errors.add(maxLen(253));
        }
        if (!s.matches(SUBDOMAIN)) {
            errors.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                    + "'-' or '.', and must start and end with an alphanumeric character", SUBDOMAIN, "example.com"));
        }
        return errors;
    }

    static List<String> dns1035Label(String value, boolean prefix) {
        String s = prefix ? maskTrailingDash(value) : value;
        List<String> errors = new ArrayList<>();
        if (s.length() > 63) {
            errors.add(maxLen(63));
        }
        if (!s.matches(DNS1035)) {
            errors.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                    + "with an alphabetic character, and end with an alphanumeric character", DNS1035, "my-name", "abc-123"));
        }
        return errors;
    }

    static List<String> qualifiedName(String value) {
        List<String> errors = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            name = parts[1];
            if (parts[0].isEmpty()) {
                errors.add("prefix part must be non-empty");
            } else {
                dns1123Subdomain(parts[0], false).forEach(e -> errors.add("prefix part " + e));
            }
        } else {
            errors.add(regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
                    + "start and end with an alphanumeric character", QUALIFIED_NAME, "MyName", "my.name", "123-abc")
                    .replace(" (e.g.", " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName') (e.g."));
            return errors;
        }
        if (name.isEmpty()) {
            errors.add("name part must be non-empty");
        } else if (name.length() > 63) {
            errors.add("name part " + maxLen(63));
        }
        if (!name.isEmpty() && !name.matches(QUALIFIED_NAME)) {
            errors.add("name part " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must "
                    + "start and end with an alphanumeric character", QUALIFIED_NAME, "MyName", "my.name", "123-abc"));
        }
        return errors;
    }

    static List<String> labelValue(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > 63) {
            errors.add(maxLen(63));
        }
        if (!value.matches(LABEL_VALUE)) {
            errors.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                    + "or '.', and must start and end with an alphanumeric character", LABEL_VALUE, "MyValue", "my_value",
                    "12345"));
        }
        return errors;
    }

    /** apimachinery's: a generateName prefix may end in '-'; it is checked as if a letter followed. */
    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 2) + "a" : name;
    }

    private static String maxLen(int length) {
        return "must be no more than " + length + " characters";
    }

    private static String regexError(String message, String format, String... examples) {
        StringBuilder out = new StringBuilder(message).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                out.append(" or ");
            }
            out.append('\'').append(examples[i]).append("', ");
        }
        return out.append("regex used for validation is '").append(format).append("')").toString();
    }
}
