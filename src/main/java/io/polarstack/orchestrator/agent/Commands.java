package io.polarstack.orchestrator.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external programs. A command is always an argv list handed to {@link ProcessBuilder}: no shell ever sees a
 * request value. Secrets go in the environment (e.g. {@code PGPASSWORD}), never in argv, which {@code ps} shows.
 */
public class Commands {

    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String output() {
            return (stdout + "\n" + stderr).strip();
        }
    }

    private final AgentLog log;
    private final Deadline deadline;

    public Commands(AgentLog log, Deadline deadline) {
        this.log = log;
        this.deadline = deadline;
    }

    public Result run(List<String> argv) {
        return run(argv, Map.of(), deadline.remaining());
    }

    public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
        Duration limit = deadline.capped(timeout);
        log.info("run %s", argv);
        ProcessBuilder builder =
                new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        // libpq variables inherited from the caller would silently redirect our tools; the request decides.
        environment.keySet().removeIf(k -> k.startsWith("PG"));
        environment.put("LC_ALL", "C");
        environment.putAll(env);
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.COMMAND_FAILED,
                    "cannot run " + argv.get(0) + ": " + e.getMessage()
                            + "; check the engine binaries directory (request field 'binDir')",
                    e);
        }
        deadline.track(process);
        try {
            Pump out = new Pump(process.getInputStream());
            Pump err = new Pump(process.getErrorStream());
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AgentException(
                        ErrorCode.TIMEOUT,
                        String.join(" ", argv.subList(0, Math.min(2, argv.size()))) + " did not finish within "
                                + limit.toSeconds() + " s");
            }
            Result result = new Result(process.exitValue(), out.text(), err.text());
            log.info(
                    "%s exited %d after %d ms%s",
                    argv.get(0),
                    result.exitCode(),
                    (System.nanoTime() - started) / 1_000_000,
                    result.ok() ? "" : ": " + result.output());
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new AgentException(ErrorCode.INTERNAL, "interrupted while running " + argv.get(0), e);
        } finally {
            deadline.untrack(process);
        }
    }

    /** Runs the command and fails with {@code COMMAND_FAILED} naming {@code what} when it exits non-zero. */
    public Result require(String what, List<String> argv) {
        return require(what, argv, Map.of(), deadline.remaining());
    }

    public Result require(String what, List<String> argv, Map<String, String> env, Duration timeout) {
        Result result = run(argv, env, timeout);
        if (!result.ok()) {
            throw new AgentException(
                    ErrorCode.COMMAND_FAILED,
                    what + " failed (exit " + result.exitCode() + "): " + tail(result.output()));
        }
        return result;
    }

    static String tail(String text) {
        return text.length() <= 600 ? text : "..." + text.substring(text.length() - 600);
    }

    /** Drains a stream on its own thread so a chatty child never blocks on a full pipe. */
    private static final class Pump {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        Pump(InputStream in) {
            thread = new Thread(
                    () -> {
                        try (in) {
                            in.transferTo(buffer);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    "pump");
            thread.setDaemon(true);
            thread.start();
        }

        String text() throws InterruptedException {
            thread.join(2000);
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
