package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.ports.StorageFabric.Lun;
import io.polarstack.orchestrator.ports.StorageFabric.LunPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for multipath-tools output: {@code multipath -ll} and {@code multipathd show paths format "%w %d %t %T"}. */
final class MultipathOutput {

    /** Map line: {@code <wwid> dm-2 VENDOR,PRODUCT}, or with user_friendly_names {@code mpatha (<wwid>) dm-2 VENDOR,PRODUCT}. */
    private static final Pattern MAP = Pattern.compile("^(\\S+)\\s+(?:\\((\\S+)\\)\\s+)?(dm-\\d+)\\s*(.*)$");

    private static final Pattern SIZE = Pattern.compile("^size=([0-9]+(?:\\.[0-9]+)?)([KMGTP])\\b");
    /** Path line: {@code | `- 2:0:0:1 sdb 8:16 active ready running}; the checker state may be two words ("i/o pending"). */
    private static final Pattern PATH =
            Pattern.compile("(\\d+:\\d+:\\d+:\\d+)\\s+(\\S+)\\s+(\\d+:\\d+)\\s+(\\S+)\\s+(.+?)\\s+(\\S+)\\s*$");

    static final String PATHS_FORMAT = "%w %d %t %T";

    private MultipathOutput() {}

    static List<Lun> parseMaps(String output) {
        List<Lun> luns = new ArrayList<>();
        Builder current = null;
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher size = SIZE.matcher(line);
            if (current != null && size.find()) {
                current.sizeBytes = bytes(size.group(1), size.group(2));
                continue;
            }
            boolean indented = Character.isWhitespace(line.charAt(0)) || line.startsWith("|") || line.startsWith("`");
            if (indented) {
                Matcher path = PATH.matcher(line);
                if (current != null && path.find()) {
                    current.paths.add(
                            new LunPath(path.group(1), path.group(2), path.group(4), path.group(5), path.group(6)));
                }
                continue;
            }
            Matcher map = MAP.matcher(line);
            if (map.matches()) {
                if (current != null) {
                    luns.add(current.build());
                }
                current = new Builder(map.group(1), map.group(2) == null ? map.group(1) : map.group(2), map.group(4));
            }
        }
        if (current != null) {
            luns.add(current.build());
        }
        return luns;
    }

    /** One row of {@code multipathd show paths}: a SCSI path and the WWID behind it. */
    record PathRow(String wwid, String device, String dmState, String checkerState) {}

    static List<PathRow> parsePaths(String output) {
        List<PathRow> rows = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+", 4);
            if (f.length < 4 || f[0].equals("uuid")) {
                continue;
            }
            rows.add(new PathRow(f[0], f[1], f[2], f[3]));
        }
        return rows;
    }

    private static long bytes(String number, String unit) {
        int power = "KMGTP".indexOf(unit.toUpperCase(Locale.ROOT)) + 1;
        return Math.round(Double.parseDouble(number) * Math.pow(1024, power));
    }

    private static final class Builder {
        final String name;
        final String wwid;
        final String vendor;
        final String product;
        long sizeBytes;
        final List<LunPath> paths = new ArrayList<>();

        Builder(String name, String wwid, String vendorProduct) {
            this.name = name;
            this.wwid = wwid;
            int comma = vendorProduct.indexOf(',');
            this.vendor = comma < 0
                    ? vendorProduct.trim()
                    : vendorProduct.substring(0, comma).trim();
            this.product = comma < 0 ? "" : vendorProduct.substring(comma + 1).trim();
        }

        Lun build() {
            return new Lun(wwid, "/dev/mapper/" + name, sizeBytes, vendor, product, paths);
        }
    }
}
