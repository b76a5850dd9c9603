package io.polarstack.orchestrator.adapters.ssh;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every value that reaches a host command is checked here first, against a pattern that admits only what the
 * storage tools produce. Quoting ({@link ShellWords}) already stops the shell; these checks also stop option
 * injection (a leading {@code -}) and path tricks ({@code /}, {@code ..}).
 */
final class StorageValues {

    /** SCSI WWIDs are hex (e.g. {@code 36001405...}); NVMe ones look like {@code eui.0025...} or {@code nvme.8086-...}. */
    private static final Pattern WWID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,127}");

    private static final Pattern KEY = Pattern.compile("0x[0-9a-f]{1,16}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    static final int MAX_PFS_CHUNKS = 100_000;

    private StorageValues() {}

    static String wwid(String value) {
        if (value == null || !WWID.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(
                    "invalid WWID " + printable(value)
                            + ": expected the multipath WWID as `multipath -ll` prints it, e.g. 36001405a1b2c3d4e5f60718293a4b5c6");
        }
        return value;
    }

    /** A multipath map name: the WWID, or an alias such as {@code mpatha}; same alphabet. */
    static String mapName(String value) {
        if (value == null || !WWID.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException("invalid multipath map name " + printable(value));
        }
        return value;
    }

    /** A reservation key in canonical form: {@code 0x} and at least 8 lower-case hex digits ({@code 0xa000005} becomes {@code 0x0a000005}). */
    static String key(String value) {
        if (value == null || !KEY.matcher(value.toLowerCase(Locale.ROOT)).matches()) {
            throw new IllegalArgumentException(
                    "invalid reservation key " + printable(value) + ": expected 0x and up to 16 hex digits");
        }
        return canonicalKey(Long.parseUnsignedLong(value.substring(2), 16));
    }

    static String canonicalKey(long key) {
        return String.format("0x%08x", key);
    }

    /** {@code 0x} + the 8 hex digits of an IPv4 address, as PolarDB Stack derived keys from node addresses. */
    static String keyOfIpv4(String address) {
        var m = address == null ? null : IPV4.matcher(address);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not an IPv4 address: " + printable(address));
        }
        long key = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + printable(address));
            }
            key = key << 8 | octet;
        }
        return canonicalKey(key);
    }

    static boolean isIpv4(String address) {
        try {
            keyOfIpv4(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static int pfsChunks(int chunks) {
        if (chunks < 1 || chunks > MAX_PFS_CHUNKS) {
            throw new IllegalArgumentException(
                    "invalid PFS size " + chunks + " chunks: expected 1 to " + MAX_PFS_CHUNKS + " chunks of 10 GiB");
        }
        return chunks;
    }

    /** For error messages: a hostile value is shown escaped and cut short. */
    static String printable(String value) {
        return printable(value, 80);
    }

    static String printable(String value, int limit) {
        if (value == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder("\"");
        value.codePoints().limit(limit).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(value.codePointCount(0, value.length()) > limit ? "...\"" : "\"")
                .toString();
    }
}
