package io.portcullis.constraint.cel;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * The {@code net.IP} and {@code net.CIDR} values of the Kubernetes CEL libraries ([K8S] apiserver/pkg/cel/library
 * ip.go and cidr.go, on Go's {@code netip}): strict parsing (no leading zeros in IPv4, no zones, no IPv4-mapped
 * IPv6) and Go's address classes. Literals are parsed without any name lookup.
 */
public final class IpValues {
    private IpValues() {
    }

    /** An IP address: 4 or 16 bytes. */
    public record Ip(byte[] bytes) {
        public long family() {
            return bytes.length == 4 ? 4 : 6;
        }

        public boolean isUnspecified() {
            return Arrays.equals(bytes, new byte[bytes.length]);
        }

        public boolean isLoopback() {
            if (bytes.length == 4) {
                return (bytes[0] & 0xff) == 127;
            }
            byte[] one = new byte[16];
            one[15] = 1;
            return Arrays.equals(bytes, one);
        }

        public boolean isLinkLocalMulticast() {
            return bytes.length == 4 ? (bytes[0] & 0xff) == 224 && bytes[1] == 0 && bytes[2] == 0
                    : (bytes[0] & 0xff) == 0xff && (bytes[1] & 0x0f) == 0x02;
        }

        public boolean isLinkLocalUnicast() {
            return bytes.length == 4 ? (bytes[0] & 0xff) == 169 && (bytes[1] & 0xff) == 254
                    : (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xc0) == 0x80;
        }

        boolean isMulticast() {
            return bytes.length == 4 ? (bytes[0] & 0xf0) == 0xe0 : (bytes[0] & 0xff) == 0xff;
        }

        /** Go's {@code IsGlobalUnicast}: private ranges count, broadcast, loopback and link-local do not. */
        public boolean isGlobalUnicast() {
            boolean broadcast = bytes.length == 4 && Arrays.equals(bytes, new byte[] {-1, -1, -1, -1});
            return !isUnspecified() && !isLoopback() && !isMulticast() && !isLinkLocalUnicast() && !broadcast;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ip ip && Arrays.equals(ip.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        /** Go's canonical text: dotted IPv4, RFC 5952 IPv6. */
        @Override
        public String toString() {
            try {
                return InetAddresses.toAddrString(InetAddress.getByAddress(bytes));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A prefix: the address as written and its length. */
    public record Cidr(Ip ip, int prefixLength) {
        public Cidr masked() {
            byte[] out = ip.bytes().clone();
            for (int i = 0; i < out.length; i++) {
                int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
                out[i] = (byte) (out[i] & (0xff << (8 - keep)));
            }
            return new Cidr(new Ip(out), prefixLength);
        }

        public boolean containsIp(Ip other) {
            return other.bytes().length == ip.bytes().length
                    && new Cidr(other, prefixLength).masked().ip().equals(masked().ip());
        }

        public boolean containsCidr(Cidr other) {
            return other.prefixLength >= prefixLength && containsIp(other.ip());
        }

        @Override
        public String toString() {
            return ip + "/" + prefixLength;
        }
    }

    /** Parses an address as {@code ip()} does; the exception's message is the API server's. */
    public static Ip parseIp(String text) {
        if (text.contains("%")) {
            throw new IllegalArgumentException("IP address " + quote(text) + " with zone value is not allowed");
        }
        Ip ip = parseAddr(text);
        if (ip == null) {
            throw new IllegalArgumentException("IP Address " + quote(text) + " parse error during conversion from string: "
                    + "ParseAddr(" + quote(text) + "): unable to parse IP");
        }
        if (ip.bytes().length == 16 && isV4Mapped(ip.bytes())) {
            throw new IllegalArgumentException("IPv4-mapped IPv6 address " + quote(text) + " is not allowed");
        }
        return ip;
    }

    public static boolean isIp(String text) {
        try {
            parseIp(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the text is the address's canonical form (as {@code ip.isCanonical} asks). */
    public static boolean isCanonical(String text) {
        return parseIp(text).toString().equals(text);
    }

    public static Cidr parseCidr(String text) {
        int slash = text.indexOf('/');
        String bits = slash < 0 ? "" : text.substring(slash + 1);
        Ip ip = slash < 0 || text.contains("%") ? null : parseAddr(text.substring(0, slash));
        int max = ip == null ? 0 : ip.bytes().length * 8;
        if (ip == null || !bits.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(bits) > max) {
            throw new IllegalArgumentException("network address parse error during conversion from string: "
                    + "netip.ParsePrefix(" + quote(text) + "): invalid prefix");
        }
        if (ip.bytes().length == 16 && isV4Mapped(ip.bytes())) {
            throw new IllegalArgumentException("IPv4-mapped IPv6 address " + quote(text) + " is not allowed");
        }
        return new Cidr(ip, Integer.parseInt(bits));
    }

    public static boolean isCidr(String text) {
        try {
            parseCidr(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Ip parseAddr(String text) {
        if (text.indexOf(':') < 0) {
            return parseIpv4(text);
        }
        try {
            InetAddress address = InetAddresses.forString(text);
            byte[] bytes = address.getAddress();
            if (address instanceof Inet4Address) {
                // Guava folds some IPv6 forms into IPv4; Go keeps them IPv6 (and ip() then refuses them).
                byte[] mapped = new byte[16];
                mapped[10] = -1;
                mapped[11] = -1;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return new Ip(mapped);
            }
            return new Ip(bytes);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Go's IPv4 syntax: four decimal fields 0-255 without leading zeros. */
    private static Ip parseIpv4(String text) {
        String[] fields = text.split("\\.", -1);
        if (fields.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!fields[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(fields[i]) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(fields[i]);
        }
        return new Ip(bytes);
    }

    private static boolean isV4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == -1 && bytes[11] == -1;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

}
