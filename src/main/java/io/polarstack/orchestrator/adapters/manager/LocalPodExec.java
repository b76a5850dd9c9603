package io.polarstack.orchestrator.adapters.manager;

import io.polarstack.orchestrator.ports.PodExec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link PodExec} as a child process on this machine, for tests and the local runtime: the "container" is this
 * host, so the target only names the call. When this JVM runs as root the child runs as the {@code postgres} user
 * (the engine refuses root), via {@code runuser}. The command is an argv list; no shell is involved.
 */
public class LocalPodExec implements PodExec {

    private final List<String> prefix;

    public LocalPodExec(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Runs as {@code user} when this process is root, else as the current user. */
    public static LocalPodExec asUser(String user) {
        boolean root = "root".equals(System.getProperty("user.name"));
        return new LocalPodExec(root ? List.of("runuser", "-u", user, "--") : List.of());
    }

    @Override
    public Result exec(Target target, List<String> argv, byte[] stdin, Duration timeout) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(argv);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new ExecException("cannot start " + argv.get(0) + " for " + target + ": " + e.getMessage(), e);
        }
        try {
            Drain out = new Drain(process.getInputStream());
            Drain err = new Drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The program may exit before reading its input; its exit code and output tell why.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new ExecException(
                        argv.get(0) + " for " + target + " did not finish within " + timeout.toSeconds() + " s", null);
            }
            return new Result(process.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new ExecException("interrupted while running " + argv.get(0) + " for " + target, e);
        }
    }

    private static final class Drain {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(
                    () -> {
                        try (in) {
                            in.transferTo(buffer);
                        } catch (IOException e) {
                            // The stream ends with the process; what was read is kept.
                        }
                    },
                    "local-exec-drain");
            thread.setDaemon(true);
            thread.start();
        }

        String text() throws InterruptedException {
            thread.join(5000);
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
