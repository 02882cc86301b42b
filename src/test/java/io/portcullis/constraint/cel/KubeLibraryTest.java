package io.portcullis.constraint.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.runtime.CelEvaluationException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes CEL library functions against the examples the Kubernetes documentation gives for them
 * ([K8S] apiserver/pkg/cel/library/*.go doc comments, "CEL in Kubernetes" reference), each written as a CEL
 * expression that must evaluate to {@code true}, plus the errors the documentation names.
 */
class KubeLibraryTest {

    static Object eval(String expression) throws Exception {
        var ast = CelEnvironment.CEL.compile(expression).getAst();
        return CelEnvironment.CEL.createProgram(ast).eval(Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // quantity
        "quantity(\"500000G\").isInteger()",
        "quantity(\"50k\").asInteger() == 50000",
        "quantity(\"50k\").asApproximateFloat() == 50000.0",
        "quantity(\"50M\").sign() == 1",
        "quantity(\"-50k\").sign() == -1",
        "quantity(\"0\").sign() == 0",
        "quantity(\"200M\").isGreaterThan(quantity(\"100M\"))",
        "quantity(\"50M\").isLessThan(quantity(\"100M\"))",
        "quantity(\"50k\").add(20) == quantity(\"50020\")",
        "quantity(\"50k\").add(quantity(\"20k\")) == quantity(\"70k\")",
        "quantity(\"50k\").sub(20) == quantity(\"49980\")",
        "quantity(\"50k\").sub(quantity(\"20k\")) == quantity(\"30k\")",
        "quantity(\"200M\").compareTo(quantity(\"0.2G\")) == 0",
        "quantity(\"1Ki\") == quantity(\"1024\")",
        "quantity(\"100m\").isInteger() == false",
        "quantity(\"1e3\") == quantity(\"1k\")",
        "isQuantity(\"1.3G\")",
        "isQuantity(\"1.3Gi\")",
        "!isQuantity(\"1,3G\")",
        "isQuantity(\"10000k\")",
        "!isQuantity(\"200K\")",
        "!isQuantity(\"Three\")",
        "!isQuantity(\"Mi\")",
        // ip
        "isIP(\"127.0.0.1\") && isIP(\"::1\")",
        "!isIP(\"127.0.0.256\") && !isIP(\":::1\") && !isIP(\"127.0.0.01\") && !isIP(\"fe80::1%eth0\")",
        "!isIP(\"::ffff:127.0.0.1\")",
        "ip.isCanonical(\"127.0.0.1\") && ip.isCanonical(\"2001:db8::abcd\")",
        "!ip.isCanonical(\"2001:DB8::ABCD\") && !ip.isCanonical(\"2001:db8::0:0:0:abcd\")",
        "ip(\"127.0.0.1\").family() == 4 && ip(\"::1\").family() == 6",
        "ip(\"0.0.0.0\").isUnspecified() && ip(\"::\").isUnspecified() && !ip(\"127.0.0.1\").isUnspecified()",
        "ip(\"127.0.0.1\").isLoopback() && ip(\"::1\").isLoopback() && !ip(\"::2\").isLoopback()",
        "ip(\"224.0.0.1\").isLinkLocalMulticast() && !ip(\"224.0.1.1\").isLinkLocalMulticast()",
        "ip(\"ff02::1\").isLinkLocalMulticast() && !ip(\"fd00::1\").isLinkLocalMulticast()",
        "ip(\"169.254.169.254\").isLinkLocalUnicast() && !ip(\"192.168.0.1\").isLinkLocalUnicast()",
        "ip(\"fe80::1\").isLinkLocalUnicast() && !ip(\"fd80::1\").isLinkLocalUnicast()",
        "ip(\"192.168.0.1\").isGlobalUnicast() && !ip(\"255.255.255.255\").isGlobalUnicast()",
        "ip(\"2001:db8::abcd\").isGlobalUnicast() && !ip(\"ff00::1\").isGlobalUnicast()",
        "string(ip(\"2001:DB8::0:0:0:ABCD\")) == \"2001:db8::abcd\"",
        "ip(\"127.0.0.1\") == ip(\"127.0.0.1\")",
        // cidr
        "isCIDR(\"192.168.0.0/16\") && !isCIDR(\"192.168.0.0/33\") && !isCIDR(\"192.168.0.0\")",
        "cidr(\"192.168.0.0/24\").containsIP(ip(\"192.168.0.1\"))",
        "!cidr(\"192.168.0.0/24\").containsIP(ip(\"192.168.1.1\"))",
        "cidr(\"192.168.0.0/24\").containsIP(\"192.168.0.1\")",
        "cidr(\"2001:db8::/32\").containsIP(ip(\"2001:db8::1\"))",
        "cidr(\"192.168.0.0/24\").containsCIDR(cidr(\"192.168.0.0/25\"))",
        "!cidr(\"192.168.0.0/24\").containsCIDR(cidr(\"192.168.0.0/23\"))",
        "cidr(\"2001:db8::/32\").containsCIDR(\"2001:db8::/33\")",
        "cidr(\"192.168.0.0/24\").ip() == ip(\"192.168.0.0\")",
        "cidr(\"192.168.0.1/24\").ip() == ip(\"192.168.0.1\")",
        "cidr(\"192.168.0.1/24\").masked() == cidr(\"192.168.0.0/24\")",
        "cidr(\"192.168.0.0/16\").prefixLength() == 16",
        "string(cidr(\"192.168.0.0/24\")) == \"192.168.0.0/24\"",
        // url
        "url(\"https://example.com:80/\").getHost() == \"example.com:80\"",
        "url(\"https://example.com/\").getHost() == \"example.com\"",
        "url(\"https://[::1]:80/\").getHost() == \"[::1]:80\"",
        "url(\"/path\").getHost() == \"\"",
        "url(\"https://example.com:80/\").getHostname() == \"example.com\"",
        "url(\"https://[::1]:80/\").getHostname() == \"::1\"",
        "url(\"https://example.com:80/\").getPort() == \"80\" && url(\"https://example.com/\").getPort() == \"\"",
        "url(\"http://example.com/\").getScheme() == \"http\" && url(\"/path\").getScheme() == \"\"",
        "url(\"https://example.com/path\").getEscapedPath() == \"/path\"",
        "url(\"https://example.com/path?k1=a&k2=b&k2=c\").getQuery() == {\"k1\": [\"a\"], \"k2\": [\"b\", \"c\"]}",
        "isURL(\"https://example.com/\") && !isURL(\"example.com\")",
        // format
        "!format.dns1123Label().validate(\"my-name\").hasValue()",
        "format.dns1123Label().validate(\"MY-NAME\").hasValue()",
        "format.dns1123Label().validate(\"a.b\").value() == [\"must not contain dots\"]",
        "!format.dns1123Subdomain().validate(\"example.com\").hasValue()",
        "!format.dns1035Label().validate(\"abc-123\").hasValue() && format.dns1035Label().validate(\"123-abc\").hasValue()",
        "!format.dns1123LabelPrefix().validate(\"my-name-\").hasValue()",
        "!format.labelValue().validate(\"\").hasValue() && format.labelValue().validate(\"-x\").hasValue()",
        "!format.qualifiedName().validate(\"example.com/MyName\").hasValue()",
        "!format.uuid().validate(\"123e4567-e89b-12d3-a456-426614174000\").hasValue()",
        "format.date().validate(\"2024-13-01\").value() == [\"invalid date\"]",
        "!format.datetime().validate(\"2024-01-01T00:00:00Z\").hasValue()",
        "!format.byte().validate(\"aGVsbG8=\").hasValue() && format.byte().validate(\"!!\").hasValue()",
        "format.named(\"dns1123Label\").hasValue() && !format.named(\"nope\").hasValue()",
        // lists (Kubernetes)
        "[1, 2, 3].isSorted() && ![\"a\", \"c\", \"b\"].isSorted()",
        "[1, 2, 3].sum() == 6 && [1.0, 2.5].sum() == 3.5 && [].sum() == 0",
        "[1, 2, 3].min() == 1 && [1, 2, 3].max() == 3 && [\"b\", \"a\"].min() == \"a\"",
        "[1, 2, 3, 2].indexOf(2) == 1 && [1, 2, 3, 2].lastIndexOf(2) == 3 && [1].indexOf(5) == -1",
        // regex (Kubernetes)
        "\"abc 123\".find(\"[0-9]+\") == \"123\" && \"abc\".find(\"[0-9]+\") == \"\"",
        "\"123 abc 456\".findAll(\"[0-9]+\") == [\"123\", \"456\"]",
        "\"123 abc 456\".findAll(\"[0-9]+\", 1) == [\"123\"]",
        // strings, sets, lists from dev.cel's extensions
        "\"TacoCat\".lowerAscii() == \"tacocat\" && \"a,b\".split(\",\") == [\"a\", \"b\"]",
        "[\"a\", \"b\"].join(\", \") == \"a, b\" && \"  x \".trim() == \"x\"",
        "\"hello\".replace(\"l\", \"L\") == \"heLLo\" && \"hello\".substring(1, 3) == \"el\"",
        "sets.contains([1, 2, 3], [2]) && sets.intersects([1], [1, 2]) && sets.equivalent([1, 2], [2, 1])",
        "[3, 1, 2].sort() == [1, 2, 3] && [[1], [2]].flatten() == [1, 2] && [1, 1, 2].distinct() == [1, 2]",
        "\"abc\".matches(\"^a.c$\") && 1 < 1.5 && {\"a\": 1}.?b.orValue(2) == 2",
    })
    void documentedExamplesHold(String expression) throws Exception {
        assertThat(eval(expression)).as(expression).isEqualTo(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "quantity(\"9999999999999999999999999999999999999G\").asInteger()|cannot convert value to integer",
        "quantity(\"200K\")|unable to parse quantity's suffix",
        "quantity(\"1,3G\")|quantities must match the regular expression",
        "ip(\"127.0.0.256\")|IP Address \"127.0.0.256\" parse error during conversion from string",
        "ip(\"::ffff:1.2.3.4\")|IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed",
        "ip(\"fe80::1%eth0\")|IP address \"fe80::1%eth0\" with zone value is not allowed",
        "cidr(\"192.168.0.0/33\")|network address parse error during conversion from string",
        "url(\"example.com\")|URL \"example.com\" parse error during conversion from string",
        "[].min()|min called on empty list",
        "\"x\".find(\"[\")|error parsing regexp: missing closing ]",
    })
    void documentedErrors(String expressionAndError) {
        String[] parts = expressionAndError.split("\\|", 2);
        assertThatThrownBy(() -> eval(parts[0])).isInstanceOf(CelEvaluationException.class).hasMessageContaining(parts[1]);
    }
}
