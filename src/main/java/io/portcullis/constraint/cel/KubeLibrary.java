package io.portcullis.constraint.cel;

import static dev.cel.common.CelFunctionDecl.newFunctionDeclaration;
import static dev.cel.common.CelOverloadDecl.newGlobalOverload;
import static dev.cel.common.CelOverloadDecl.newMemberOverload;

import com.google.re2j.PatternSyntaxException;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationExceptionBuilder;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import io.portcullis.constraint.cel.IpValues.Cidr;
import io.portcullis.constraint.cel.IpValues.Ip;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Kubernetes-specific CEL functions the API server offers ValidatingAdmissionPolicy and Gatekeeper's CEL
 * driver ([K8S] apiserver/pkg/cel/library): quantity, IP and CIDR, URL, named formats, the list functions
 * ({@code isSorted}, {@code sum}, {@code min}, {@code max}, {@code indexOf}, {@code lastIndexOf}) and the regex
 * functions {@code find} and {@code findAll}. Strings, sets, optional values, two-variable comprehensions and
 * the generic list extensions come from dev.cel's own extensions (see {@link CelEnvironment}). The authorizer
 * library is left out: Gatekeeper binds no authorizer.
 */
final class KubeLibrary {
    static final CelType QUANTITY = OpaqueType.create("kubernetes.Quantity");
    static final CelType IP = OpaqueType.create("net.IP");
    static final CelType CIDR = OpaqueType.create("net.CIDR");
    static final CelType URL = OpaqueType.create("kubernetes.URL");
    static final CelType FORMAT = OpaqueType.create("kubernetes.NamedFormat");
    private static final CelType T = TypeParamType.create("T");
    private static final CelType LIST_T = ListType.create(T);
    private static final CelType STRING = SimpleType.STRING;
    private static final CelType BOOL = SimpleType.BOOL;
    private static final CelType INT = SimpleType.INT;

    private KubeLibrary() {
    }

    static List<CelFunctionDecl> declarations() {
        List<CelFunctionDecl> d = new ArrayList<>();
        // quantity
        d.add(newFunctionDeclaration("quantity", newGlobalOverload("string_to_quantity", QUANTITY, STRING)));
        d.add(newFunctionDeclaration("isQuantity", newGlobalOverload("is_quantity_string", BOOL, STRING)));
        d.add(newFunctionDeclaration("sign", newMemberOverload("quantity_sign", INT, QUANTITY)));
        d.add(newFunctionDeclaration("isInteger", newMemberOverload("quantity_is_integer", BOOL, QUANTITY)));
        d.add(newFunctionDeclaration("asInteger", newMemberOverload("quantity_get_integer", INT, QUANTITY)));
        d.add(newFunctionDeclaration("asApproximateFloat",
                newMemberOverload("quantity_get_float", SimpleType.DOUBLE, QUANTITY)));
        d.add(newFunctionDeclaration("add", newMemberOverload("quantity_add", QUANTITY, QUANTITY, QUANTITY),
                newMemberOverload("quantity_add_int", QUANTITY, QUANTITY, INT)));
        d.add(newFunctionDeclaration("sub", newMemberOverload("quantity_sub", QUANTITY, QUANTITY, QUANTITY),
                newMemberOverload("quantity_sub_int", QUANTITY, QUANTITY, INT)));
        d.add(newFunctionDeclaration("isGreaterThan", newMemberOverload("quantity_is_greater_than", BOOL, QUANTITY, QUANTITY)));
        d.add(newFunctionDeclaration("isLessThan", newMemberOverload("quantity_is_less_than", BOOL, QUANTITY, QUANTITY)));
        d.add(newFunctionDeclaration("compareTo", newMemberOverload("quantity_compare_to", INT, QUANTITY, QUANTITY)));
        // ip and cidr
        d.add(newFunctionDeclaration("ip", newGlobalOverload("string_to_ip", IP, STRING),
                newMemberOverload("cidr_ip", IP, CIDR)));
        d.add(newFunctionDeclaration("isIP", newGlobalOverload("is_ip", BOOL, STRING)));
        d.add(newFunctionDeclaration("ip.isCanonical", newGlobalOverload("ip_is_canonical", BOOL, STRING)));
        d.add(newFunctionDeclaration("family", newMemberOverload("ip_family", INT, IP)));
        d.add(newFunctionDeclaration("isUnspecified", newMemberOverload("ip_is_unspecified", BOOL, IP)));
        d.add(newFunctionDeclaration("isLoopback", newMemberOverload("ip_is_loopback", BOOL, IP)));
        d.add(newFunctionDeclaration("isLinkLocalMulticast", newMemberOverload("ip_is_link_local_multicast", BOOL, IP)));
        d.add(newFunctionDeclaration("isLinkLocalUnicast", newMemberOverload("ip_is_link_local_unicast", BOOL, IP)));
        d.add(newFunctionDeclaration("isGlobalUnicast", newMemberOverload("ip_is_global_unicast", BOOL, IP)));
        d.add(newFunctionDeclaration("cidr", newGlobalOverload("string_to_cidr", CIDR, STRING)));
        d.add(newFunctionDeclaration("isCIDR", newGlobalOverload("is_cidr", BOOL, STRING)));
        d.add(newFunctionDeclaration("containsIP", newMemberOverload("cidr_contains_ip_string", BOOL, CIDR, STRING),
                newMemberOverload("cidr_contains_ip_ip", BOOL, CIDR, IP)));
        d.add(newFunctionDeclaration("containsCIDR", newMemberOverload("cidr_contains_cidr_string", BOOL, CIDR, STRING),
                newMemberOverload("cidr_contains_cidr", BOOL, CIDR, CIDR)));
        d.add(newFunctionDeclaration("masked", newMemberOverload("cidr_masked", CIDR, CIDR)));
        d.add(newFunctionDeclaration("prefixLength", newMemberOverload("cidr_prefix_length", INT, CIDR)));
        d.add(newFunctionDeclaration("string", newGlobalOverload("ip_to_string", STRING, IP),
                newGlobalOverload("cidr_to_string", STRING, CIDR)));
        // url
        d.add(newFunctionDeclaration("url", newGlobalOverload("string_to_url", URL, STRING)));
        d.add(newFunctionDeclaration("isURL", newGlobalOverload("is_url_string", BOOL, STRING)));
        d.add(newFunctionDeclaration("getScheme", newMemberOverload("url_get_scheme", STRING, URL)));
        d.add(newFunctionDeclaration("getHost", newMemberOverload("url_get_host", STRING, URL)));
        d.add(newFunctionDeclaration("getHostname", newMemberOverload("url_get_hostname", STRING, URL)));
        d.add(newFunctionDeclaration("getPort", newMemberOverload("url_get_port", STRING, URL)));
        d.add(newFunctionDeclaration("getEscapedPath", newMemberOverload("url_get_escaped_path", STRING, URL)));
        d.add(newFunctionDeclaration("getQuery", newMemberOverload("url_get_query",
                MapType.create(STRING, ListType.create(STRING)), URL)));
        // format
        for (String name : KubeFormat.FORMATS.keySet()) {
            d.add(newFunctionDeclaration("format." + name, newGlobalOverload("format_" + name, FORMAT)));
        }
        d.add(newFunctionDeclaration("format.named", newGlobalOverload("format_named", OptionalType.create(FORMAT), STRING)));
        d.add(newFunctionDeclaration("validate", newMemberOverload("format_validate",
                OptionalType.create(ListType.create(STRING)), FORMAT, STRING)));
        // lists
        d.add(newFunctionDeclaration("isSorted", newMemberOverload("list_is_sorted", BOOL, LIST_T)));
        d.add(newFunctionDeclaration("sum", newMemberOverload("list_sum", T, LIST_T)));
        d.add(newFunctionDeclaration("min", newMemberOverload("list_min", T, LIST_T)));
        d.add(newFunctionDeclaration("max", newMemberOverload("list_max", T, LIST_T)));
        d.add(newFunctionDeclaration("indexOf", newMemberOverload("list_index_of", INT, LIST_T, T)));
        d.add(newFunctionDeclaration("lastIndexOf", newMemberOverload("list_last_index_of", INT, LIST_T, T)));
        // regex
        d.add(newFunctionDeclaration("find", newMemberOverload("string_find_string", STRING, STRING, STRING)));
        d.add(newFunctionDeclaration("findAll",
                newMemberOverload("string_find_all_string", ListType.create(STRING), STRING, STRING),
                newMemberOverload("string_find_all_string_int", ListType.create(STRING), STRING, STRING, INT)));
        return d;
    }

    static List<CelFunctionBinding> bindings() {
        List<CelFunctionBinding> b = new ArrayList<>();
        b.add(unary("string_to_quantity", String.class, s -> guard(() -> Quantity.parse(s))));
        b.add(unary("is_quantity_string", String.class, Quantity::isQuantity));
        b.add(unary("quantity_sign", Quantity.class, Quantity::sign));
        b.add(unary("quantity_is_integer", Quantity.class, Quantity::isInteger));
        b.add(unary("quantity_get_integer", Quantity.class, q -> guard(q::asInteger)));
        b.add(unary("quantity_get_float", Quantity.class, Quantity::asApproximateFloat));
        b.add(binary("quantity_add", Quantity.class, Quantity.class, Quantity::add));
        b.add(binary("quantity_add_int", Quantity.class, Long.class, Quantity::add));
        b.add(binary("quantity_sub", Quantity.class, Quantity.class, Quantity::sub));
        b.add(binary("quantity_sub_int", Quantity.class, Long.class, Quantity::sub));
        b.add(binary("quantity_is_greater_than", Quantity.class, Quantity.class, (a, c) -> a.compareTo(c) > 0));
        b.add(binary("quantity_is_less_than", Quantity.class, Quantity.class, (a, c) -> a.compareTo(c) < 0));
        b.add(binary("quantity_compare_to", Quantity.class, Quantity.class, (a, c) -> (long) Integer.signum(a.compareTo(c))));

        b.add(unary("string_to_ip", String.class, s -> guard(() -> IpValues.parseIp(s))));
        b.add(unary("cidr_ip", Cidr.class, Cidr::ip));
        b.add(unary("is_ip", String.class, IpValues::isIp));
        b.add(unary("ip_is_canonical", String.class, s -> guard(() -> IpValues.isCanonical(s))));
        b.add(unary("ip_family", Ip.class, Ip::family));
        b.add(unary("ip_is_unspecified", Ip.class, Ip::isUnspecified));
        b.add(unary("ip_is_loopback", Ip.class, Ip::isLoopback));
        b.add(unary("ip_is_link_local_multicast", Ip.class, Ip::isLinkLocalMulticast));
        b.add(unary("ip_is_link_local_unicast", Ip.class, Ip::isLinkLocalUnicast));
        b.add(unary("ip_is_global_unicast", Ip.class, Ip::isGlobalUnicast));
        b.add(unary("string_to_cidr", String.class, s -> guard(() -> IpValues.parseCidr(s))));
        b.add(unary("is_cidr", String.class, IpValues::isCidr));
        b.add(binary("cidr_contains_ip_string", Cidr.class, String.class, (c, s) -> guard(() -> c.containsIp(IpValues.parseIp(s)))));
        b.add(binary("cidr_contains_ip_ip", Cidr.class, Ip.class, Cidr::containsIp));
        b.add(binary("cidr_contains_cidr_string", Cidr.class, String.class,
                (c, s) -> guard(() -> c.containsCidr(IpValues.parseCidr(s)))));
        b.add(binary("cidr_contains_cidr", Cidr.class, Cidr.class, Cidr::containsCidr));
        b.add(unary("cidr_masked", Cidr.class, Cidr::masked));
        b.add(unary("cidr_prefix_length", Cidr.class, c -> (long) c.prefixLength()));
        b.add(unary("ip_to_string", Ip.class, Ip::toString));
        b.add(unary("cidr_to_string", Cidr.class, Cidr::toString));

        b.add(unary("string_to_url", String.class, s -> guard(() -> KubeUrl.parse(s))));
        b.add(unary("is_url_string", String.class, KubeUrl::isUrl));
        b.add(unary("url_get_scheme", KubeUrl.class, KubeUrl::scheme));
        b.add(unary("url_get_host", KubeUrl.class, KubeUrl::host));
        b.add(unary("url_get_hostname", KubeUrl.class, KubeUrl::hostname));
        b.add(unary("url_get_port", KubeUrl.class, KubeUrl::port));
        b.add(unary("url_get_escaped_path", KubeUrl.class, KubeUrl::escapedPath));
        b.add(unary("url_get_query", KubeUrl.class, KubeUrl::query));

        for (KubeFormat format : KubeFormat.FORMATS.values()) {
            b.add(CelFunctionBinding.from("format_" + format.name(), List.of(), args -> format));
        }
        b.add(unary("format_named", String.class, name -> Optional.ofNullable(KubeFormat.FORMATS.get(name))));
        b.add(binary("format_validate", KubeFormat.class, String.class, KubeFormat::validate));

        b.add(unary("list_is_sorted", List.class, KubeLists::isSorted));
        b.add(unary("list_sum", List.class, KubeLists::sum));
        b.add(unary("list_min", List.class, l -> guard(() -> KubeLists.extreme(l, -1, "min"))));
        b.add(unary("list_max", List.class, l -> guard(() -> KubeLists.extreme(l, 1, "max"))));
        b.add(binary("list_index_of", List.class, Object.class, (l, x) -> (long) KubeLists.indexOf(l, x)));
        b.add(binary("list_last_index_of", List.class, Object.class, (l, x) -> (long) KubeLists.lastIndexOf(l, x)));

        b.add(binary("string_find_string", String.class, String.class, (s, re) -> guard(() -> {
            com.google.re2j.Matcher m = compile(re).matcher(s);
            return m.find() ? m.group() : "";
        })));
        b.add(binary("string_find_all_string", String.class, String.class, (s, re) -> guard(() -> findAll(s, re, -1))));
        b.add(CelFunctionBinding.from("string_find_all_string_int", List.of(String.class, String.class, Long.class),
                args -> guard(() -> findAll((String) args[0], (String) args[1], (Long) args[2]))));
        return b;
    }

    private static List<String> findAll(String s, String re, long limit) {
        List<String> out = new ArrayList<>();
        if (limit == 0) {
            return out;
        }
        com.google.re2j.Matcher m = compile(re).matcher(s);
        while (m.find() && (limit < 0 || out.size() < limit)) {
            out.add(m.group());
        }
        return out;
    }

    private static com.google.re2j.Pattern compile(String re) {
        try {
            return com.google.re2j.Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("error parsing regexp: " + e.getDescription() + ": `" + e.getPattern() + "`");
        }
    }

    private interface Call<R> {
        R get();
    }

    /** Runs a function body, turning its refusal into a CEL evaluation error with the same message. */
    private static <R> R guard(Call<R> body) throws CelEvaluationException {
        try {
            return body.get();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw CelEvaluationExceptionBuilder.newBuilder("%s", e.getMessage()).setCause(e).build();
        }
    }

    private static <A> CelFunctionBinding unary(String id, Class<A> type, CelFunctionOverload.Unary<A> body) {
        return CelFunctionBinding.from(id, type, body);
    }

    private static <A, B> CelFunctionBinding binary(String id, Class<A> a, Class<B> b, CelFunctionOverload.Binary<A, B> body) {
        return CelFunctionBinding.from(id, a, b, body);
    }
}
