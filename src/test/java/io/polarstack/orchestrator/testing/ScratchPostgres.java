package io.polarstack.orchestrator.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PostgreSQL 15 of this machine (as the postgres user when the tests run as root), on 127.0.0.1 and a
 * free port, with one password-authenticated superuser. Tests stop and start it to see what a dead engine looks like.
 */
public final class ScratchPostgres implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String PREFIX = "polarstack-pg";
    /** The pid of the JVM that started the server: a server whose JVM was killed is stopped by the next start. */
    private static final String OWNER = "owner.pid";

    private final Path dir;
    private final int port;

    private ScratchPostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** initdb with {@code user}/{@code password} (scram over TCP), then start. */
    public static ScratchPostgres start(String user, String password) throws IOException {
        sweepOrphans();
        Path dir = Files.createTempDirectory(PREFIX);
        Files.writeString(
                dir.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
        if (ROOT) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        if (ROOT) {
            run(List.of("chown", "postgres:postgres", pwfile.toString()));
        }
        ScratchPostgres pg = new ScratchPostgres(dir, freePort());
        asPostgres(List.of(
                BIN.resolve("initdb").toString(),
                "-D",
                pg.data().toString(),
                "-U",
                user,
                "--pwfile=" + pwfile,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-instructions"));
        Files.delete(pwfile);
        Files.writeString(
                pg.data().resolve("postgresql.conf"),
                String.format(
                        "%nlisten_addresses = '127.0.0.1'%nport = %d%n"
                                + "unix_socket_directories = '%s'%nfsync = off%n",
                        pg.port, dir),
                StandardOpenOption.APPEND);
        pg.startServer();
        return pg;
    }

    public int port() {
        return port;
    }

    private Path data() {
        return dir.resolve("data");
    }

    public void startServer() {
        asPostgres(List.of(
                BIN.resolve("pg_ctl").toString(),
                "start",
                "-D",
                data().toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "30"));
    }

    /** A fast shutdown, as an operator's or a crash-restart's would be; waits until the port is closed. */
    public void stopServer() {
        asPostgres(List.of(
                BIN.resolve("pg_ctl").toString(), "stop", "-D", data().toString(), "-m", "fast", "-w", "-t", "30"));
    }

    /**
     * Stops the server and starts it again as a standby with nothing to follow: it stays in recovery, answers read-only
     * queries, and leaves recovery only when promoted.
     */
    public void restartAsStandby() {
        stopServer();
        asPostgres(List.of("touch", data().resolve("standby.signal").toString()));
        startServer();
    }

    /** Stops and removes the servers of test JVMs that died without closing them (kill -9, a cut-off run). */
    static void sweepOrphans() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                Path owner = dir.resolve(OWNER);
                if (Files.isRegularFile(owner)
                        && ProcessHandle.of(
                                        Long.parseLong(Files.readString(owner).trim()))
                                .isEmpty()) {
                    System.err.println("cleanup: a scratch server left by a dead test JVM: " + dir);
                    new ScratchPostgres(dir, 0).close();
                }
            }
        }
    }

    @Override
    public void close() {
        if (Files.exists(data().resolve("postmaster.pid"))) {
            try {
                asPostgres(List.of(
                        BIN.resolve("pg_ctl").toString(), "stop", "-D", data().toString(), "-m", "immediate", "-w"));
            } catch (IllegalStateException e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
        run(List.of("rm", "-rf", dir.toString()));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String asPostgres(List<String> argv) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(argv);
        return run(command);
    }

    private static String run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(argv + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(argv + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
