package io.portcullis.constraint.cel;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code URL} value of the Kubernetes CEL library ([K8S] apiserver/pkg/cel/library/urls.go): what Go's
 * {@code url.ParseRequestURI} accepts, an absolute URL or an absolute path, and its parts.
 */
public record KubeUrl(URI uri) {

    /** Parses as {@code url()} does; the exception's message follows the API server's. */
    public static KubeUrl parse(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null && !text.startsWith("/")) {
                throw new IllegalArgumentException("URL " + IpValues.quote(text) + " parse error during conversion from "
                        + "string: parse " + IpValues.quote(text) + ": invalid URI for request");
            }
            return new KubeUrl(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("URL " + IpValues.quote(text) + " parse error during conversion from "
                    + "string: parse " + IpValues.quote(text) + ": " + e.getReason());
        }
    }

    public static boolean isUrl(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public String scheme() {
        return uri.getScheme() == null ? "" : uri.getScheme();
    }

    /** Host and port as written, IPv6 in brackets. */
    public String host() {
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return "";
        }
        int at = authority.lastIndexOf('@');
        return at < 0 ? authority : authority.substring(at + 1);
    }

    /** The host without port, IPv6 without brackets. */
    public String hostname() {
        String host = host();
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    public String port() {
        String host = host();
        int close = host.lastIndexOf(']');
        int colon = host.lastIndexOf(':');
        return colon > close ? host.substring(colon + 1) : "";
    }

    public String escapedPath() {
        return uri.getRawPath() == null ? "" : uri.getRawPath();
    }

    /** The query's parameters, each with its values in order. */
    public Map<String, List<String>> query() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
