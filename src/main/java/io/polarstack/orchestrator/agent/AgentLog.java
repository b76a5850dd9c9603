package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The agent's log: one file rotated at {@link #MAX_BYTES} with {@link #BACKUPS} numbered backups, like the
 * original manager's. Several agent processes may run at once, so every append and every rotation happens
 * under an exclusive lock on a side file. Every line carries the request id. Callers pass no secrets: the
 * request is logged only after {@link Request#redacted()}.
 */
public final class AgentLog {

    static final long MAX_BYTES = 10L * 1024 * 1024;
    static final int BACKUPS = 15;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final Path file;
    private final long maxBytes;
    private final String requestId;
    private volatile boolean broken;

    AgentLog(Path file, long maxBytes, String requestId) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.requestId = requestId;
    }

    public static AgentLog open(Path file, String requestId) {
        return new AgentLog(file, MAX_BYTES, requestId);
    }

    public void info(String format, Object... args) {
        write("INFO", String.format(format, args));
    }

    public void warn(String format, Object... args) {
        write("WARN", String.format(format, args));
    }

    public void error(String format, Object... args) {
        write("ERROR", String.format(format, args));
    }

    public Path file() {
        return file;
    }

    private synchronized void write(String level, String message) {
        String line = String.format(
                "%s %s [request_id=%s] [pid=%d] %s%n",
                OffsetDateTime.now().format(TIME),
                level,
                requestId,
                ProcessHandle.current().pid(),
                message.replace("\n", "\\n"));
        if (broken) {
            System.err.print(line);
            return;
        }
        // One writer per JVM at a time (the resident agent logs from many requests): an fcntl lock is the process's,
        // so two threads would not exclude each other, and one closing the file would drop the other's lock.
        synchronized (AgentLog.class) {
            writeLocked(line);
        }
    }

    private void writeLocked(String line) {
        try {
            Files.createDirectories(file.getParent());
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel lockChannel =
                            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lockChannel.lock()) {
                if (Files.exists(file) && Files.size(file) + line.length() > maxBytes) {
                    rotate();
                }
                try (FileChannel out = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    out.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // A log that cannot be written must not fail the action; say so once on stderr and carry on there.
            broken = true;
            System.err.printf("manager log %s cannot be written (%s); logging to stderr%n", file, e);
            System.err.print(line);
        }
    }

    private void rotate() throws IOException {
        Files.deleteIfExists(backup(BACKUPS));
        for (int i = BACKUPS - 1; i >= 1; i--) {
            if (Files.exists(backup(i))) {
                Files.move(backup(i), backup(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, backup(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path backup(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }
}
