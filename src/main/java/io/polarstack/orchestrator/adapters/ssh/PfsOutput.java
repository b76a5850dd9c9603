package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.ports.StorageFabric.PfsInfo;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parser for {@code pfs -C disk info}: the Blktag section gives the chunk count and data blocks. */
final class PfsOutput {

    private static final Pattern BLKTAG = Pattern.compile(
            "Blktag Info:\\s*\\n\\s*\\(0\\)allocnode:.*?nchild=(\\d+),\\s*nall (\\d+),\\s*nfree (\\d+)");

    private PfsOutput() {}

    static PfsInfo parseInfo(String wwid, String output) {
        Matcher m = BLKTAG.matcher(output);
        if (!m.find()) {
            throw new IllegalArgumentException(
                    "unexpected `pfs -C disk info` output: " + StorageValues.printable(output));
        }
        return new PfsInfo(wwid, Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
    }
}
