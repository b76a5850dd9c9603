package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.testing.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The array side of the SAN simulator (scripts/san-sim): what the storage admin would do on the array, i.e.
 * create a LUN, map it to hosts, grow it, and the simulator's log of calls. Files are world-writable, as the
 * simulated hosts' SSH user updates them.
 */
public final class SanSimulator {

    private static final Random RANDOM = new Random();
    private final Path luns = Path.of(TestEnvironment.get("SAN_STATE"), "luns");
    private final List<String> created = new ArrayList<>();

    /** A fresh SCSI-style WWID, so tests never share a LUN. */
    public static String newWwid() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "36" + HexFormat.of().formatHex(bytes).substring(0, 31);
    }

    public void createLun(String wwid, long sizeBytes) {
        created.add(wwid);
        write(luns.resolve(wwid).resolve("size"), Long.toString(sizeBytes));
    }

    /** Removes the LUNs this simulator created, so the shared array does not grow from run to run. */
    public void removeLuns() {
        for (String wwid : created) {
            try (var files = Files.walk(luns.resolve(wwid))) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        created.clear();
    }

    /** How {@code host} (its simulated IP) sees the LUN: up, down, nomap or pending. */
    public void map(String wwid, String host, String state) {
        write(luns.resolve(wwid).resolve("hosts").resolve(host), state);
    }

    public void formatPfs(String wwid, int chunks) {
        write(luns.resolve(wwid).resolve("pfs"), Integer.toString(chunks));
    }

    void stallReservationCommands(String wwid, int seconds) {
        write(luns.resolve(wwid).resolve("delay"), Integer.toString(seconds));
    }

    /** Grows the LUN on the array; hosts keep seeing the old size until they rescan and resize. */
    public void grow(String wwid, long oldSize, long newSize, String... hosts) {
        for (String host : hosts) {
            write(luns.resolve(wwid).resolve("pathsize").resolve(host), Long.toString(oldSize));
            write(luns.resolve(wwid).resolve("mapsize").resolve(host), Long.toString(oldSize));
        }
        write(luns.resolve(wwid).resolve("size"), Long.toString(newSize));
    }

    /** Index of the first log line whose text after the time starts with {@code call}, or -1. */
    public static int indexOf(List<String> log, String call) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).substring(log.get(i).indexOf(' ') + 1).startsWith(call)) {
                return i;
            }
        }
        return -1;
    }

    /** How far the log reaches now; {@link #logSince} reads what came after. */
    public long logSize() {
        try {
            return Files.exists(log()) ? Files.size(log()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log's lines from byte {@code offset} on: "&lt;epoch s.us&gt; &lt;host&gt; &lt;command&gt; &lt;args&gt;", in call order. */
    public List<String> logSince(long offset) {
        try {
            byte[] all = Files.exists(log()) ? Files.readAllBytes(log()) : new byte[0];
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends a line in the simulator's format for something outside it (e.g. {@code "manager", "promote", pod}), so one
     * log orders both. One append of one short line, which concurrent appends do not split.
     */
    public void logCall(String host, String... words) {
        Instant now = Instant.now();
        String line = String.format(
                "%d.%06d %s %s%n", now.getEpochSecond(), now.getNano() / 1000, host, String.join(" ", words));
        try {
            if (!Files.exists(log())) { // as the hosts create it, or they could no longer log
                Files.writeString(log(), "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                Files.setPosixFilePermissions(log(), PosixFilePermissions.fromString("rw-rw-rw-"));
            }
            Files.writeString(log(), line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path log() {
        return luns.getParent().resolve("log");
    }

    /** A path in the array's state dir, which the hosts' SSH user may write. */
    Path scratchFile(String name) {
        return luns.getParent().resolve(name);
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            for (Path dir = file.getParent();
                    dir.getNameCount() > 0 && !dir.getFileName().toString().equals("luns");
                    dir = dir.getParent()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Files.writeString(file, content + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
