package io.polarstack.orchestrator.adapters.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for {@code mpathpersist --in -k} (registered keys) and {@code mpathpersist --in -r} (reservation). */
final class MpathpersistOutput {

    private static final Pattern GENERATION = Pattern.compile("PR generation=0x([0-9a-fA-F]+)");
    private static final Pattern KEY_LINE = Pattern.compile("^\\s+(0x[0-9a-fA-F]{1,16})\\s*$");
    private static final Pattern HOLDER = Pattern.compile("Key\\s*=\\s*(0x[0-9a-fA-F]{1,16})");
    private static final Pattern TYPE = Pattern.compile("type\\s*=\\s*(.+?)\\s*$", Pattern.MULTILINE);
    /** The SPC type names as sg3_utils and mpathpersist print them. */
    private static final Map<String, Integer> TYPES = Map.of(
            "write exclusive",
            1,
            "exclusive access",
            3,
            "write exclusive, registrants only",
            5,
            "exclusive access, registrants only",
            6,
            "write exclusive, all registrants",
            7,
            "exclusive access, all registrants",
            8);

    private MpathpersistOutput() {}

    record Keys(long generation, List<String> keys) {}

    record Held(String holderKey, Integer type) {
        static final Held NONE = new Held(null, null);
    }

    static Keys parseKeys(String output) {
        long generation = generation(output);
        List<String> keys = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = KEY_LINE.matcher(line);
            if (m.matches()) {
                keys.add(StorageValues.key(m.group(1).toLowerCase(Locale.ROOT)));
            }
        }
        if (keys.isEmpty() && !output.contains("NO registered reservation keys")) {
            throw new IllegalArgumentException(
                    "unexpected `mpathpersist --in -k` output: " + StorageValues.printable(output));
        }
        return new Keys(generation, keys);
    }

    static Held parseReservation(String output) {
        if (output.contains("NO reservation held")) {
            return Held.NONE;
        }
        Matcher holder = HOLDER.matcher(output);
        Matcher type = TYPE.matcher(output);
        if (!holder.find() || !type.find()) {
            throw new IllegalArgumentException(
                    "unexpected `mpathpersist --in -r` output: " + StorageValues.printable(output));
        }
        Integer code = TYPES.get(type.group(1).toLowerCase(Locale.ROOT));
        if (code == null) {
            throw new IllegalArgumentException(
                    "unknown reservation type \"" + type.group(1) + "\" in `mpathpersist --in -r` output");
        }
        return new Held(StorageValues.key(holder.group(1).toLowerCase(Locale.ROOT)), code);
    }

    private static long generation(String output) {
        Matcher m = GENERATION.matcher(output);
        return m.find() ? Long.parseLong(m.group(1), 16) : 0;
    }
}
