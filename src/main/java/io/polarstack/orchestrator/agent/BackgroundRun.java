package io.polarstack.orchestrator.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * "Start, then poll" for actions that take longer than an orchestrator step may (a step must end well inside its
 * job lock). A request with {@code "background": true} starts the action in a process of its own, detached from
 * the exec (its own session, its output in a file), and answers at once; the same request again (same
 * {@code requestId}) answers how that run is doing instead of starting another: running, or the run's own answer
 * once it has one. The run holds the instance's lock like any action and writes its answer to
 * {@code <logDir>/runs/<requestId>.json}; a run that died without an answer (killed, the container restarted) is
 * reported as lost, so the caller's retry sees it rather than waiting forever.
 */
final class BackgroundRun {

    static final String DIR = "runs";
    /** Set in the run's environment: the request id whose status file its answer goes to. */
    static final String RUN_ENV = "POLARSTACK_AGENT_RUN";

    /**
     * A finished run's files are kept this long, then removed when another run starts. Longer than any flow waits
     * on one run: a step retried after an incident polls under a new request id.
     */
    static final Duration KEEP_FINISHED = Duration.ofDays(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private BackgroundRun() {}

    static Path statusFile(Path logDir, String requestId) {
        return logDir.resolve(DIR).resolve(requestId + ".json");
    }

    /** What a start-or-poll answers: a finished run's answer as it was, or a running one's state. */
    record Poll(JsonNode finishedAnswer, Map<String, Object> running) {}

    /**
     * Starts the run unless one with this request id exists, then reports on it. Check and start happen under a lock
     * of the runs directory, so two callers with one request id get one run.
     */
    static Poll startOrPoll(Action action, String requestId, Path logDir, JsonNode request, List<String> command)
            throws IOException {
        // One caller per JVM at a time (the resident agent polls on many threads): an fcntl lock is the process's, so
        // two threads would not exclude each other, and one closing the file would drop the other's lock.
        synchronized (BackgroundRun.class) {
            return startOrPollLocked(action, requestId, logDir, request, command);
        }
    }

    private static Poll startOrPollLocked(
            Action action, String requestId, Path logDir, JsonNode request, List<String> command) throws IOException {
        Path dir = logDir.resolve(DIR);
        Files.createDirectories(dir);
        Path status = statusFile(logDir, requestId);
        try (FileChannel channel =
                        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (Files.exists(status)) {
                JsonNode s = JSON.readTree(status.toFile());
                if (s.has("answer")) {
                    return new Poll(s.path("answer"), null);
                }
                long pid = s.path("pid").asLong();
                if (!alive(pid, s.path("pidStart").asText(""))) {
                    ObjectNode lost = lostAnswer(action, requestId, pid);
                    writeAtomically(status, Map.of("state", "lost", "answer", lost));
                    return new Poll(lost, null);
                }
                return new Poll(null, running(s, false));
            }
            pruneFinished(dir, Instant.now().minus(KEEP_FINISHED));
            Process p = spawn(request, requestId, command, dir.resolve(requestId + ".out"));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("state", "running");
            s.put("action", action.command());
            s.put("requestId", requestId);
            s.put("pid", p.pid());
            s.put("pidStart", p.info().startInstant().map(Instant::toString).orElse(""));
            s.put("since", Instant.now().toString());
            writeAtomically(status, s);
            return new Poll(null, running(JSON.valueToTree(s), true));
        }
    }

    /** Removes the status and output files of runs that have an answer and ended before {@code before}. */
    static void pruneFinished(Path dir, Instant before) throws IOException {
        try (var files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path status : files) {
                if (Files.getLastModifiedTime(status).toInstant().isBefore(before)
                        && JSON.readTree(status.toFile()).has("answer")) {
                    String id = status.getFileName().toString().replaceFirst("\\.json$", "");
                    Files.deleteIfExists(dir.resolve(id + ".out"));
                    Files.delete(status);
                }
            }
        }
    }

    private static Map<String, Object> running(JsonNode status, boolean started) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("runState", "running");
        r.put("started", started);
        r.put("pid", status.path("pid").asLong());
        r.put("since", status.path("since").asText());
        return r;
    }

    /** The same process (pid reuse is told apart by its start time) is still there. */
    private static boolean alive(long pid, String start) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        return start.isEmpty()
                || h.get()
                        .info()
                        .startInstant()
                        .map(Instant::toString)
                        .orElse(start)
                        .equals(start);
    }

    private static ObjectNode lostAnswer(Action action, String requestId, long pid) {
        ObjectNode a = JSON.createObjectNode();
        a.put("ok", false);
        a.put("action", action.command());
        a.put("requestId", requestId);
        ObjectNode e = a.putObject("error");
        e.put("code", ErrorCode.RUN_LOST.name());
        e.put(
                "message",
                "the background " + action.command() + " (request " + requestId + ", pid " + pid
                        + ") ended without an answer (killed, or its container restarted); see manager.log, then"
                        + " start it again under a new request id");
        return a;
    }

    /**
     * The same agent command line again, in its own session ({@code setsid}: no hang-up when the exec ends), with the
     * request on a pipe (so no secret is written to disk) and its output in a file.
     */
    private static Process spawn(JsonNode request, String requestId, List<String> command, Path out)
            throws IOException {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Not a group leader, so setsid execs in place: the run keeps the pid we see.
            argv.add("/usr/bin/setsid");
        }
        argv.addAll(command);
        ProcessBuilder b = new ProcessBuilder(argv)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectErrorStream(true);
        b.environment().put(RUN_ENV, requestId);
        Process p = b.start();
        ObjectNode forRun = ((ObjectNode) request.deepCopy());
        forRun.remove("background");
        try (OutputStream in = p.getOutputStream()) {
            in.write((JSON.writeValueAsString(forRun) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    /** The run's answer, kept for the polls that follow. */
    static void finish(Path logDir, String requestId, Map<String, Object> answer) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("state", Boolean.TRUE.equals(answer.get("ok")) ? "succeeded" : "failed");
        s.put("answer", answer);
        s.put("finished", Instant.now().toString());
        try {
            writeAtomically(statusFile(logDir, requestId), s);
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot write the answer of run " + requestId + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path file, Map<String, Object> content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(content), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
