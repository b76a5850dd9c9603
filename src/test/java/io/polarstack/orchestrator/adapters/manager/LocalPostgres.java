package io.polarstack.orchestrator.adapters.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polarstack.orchestrator.ports.ManagerClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Scratch directories, ports and commands for the manager ITs: the real PostgreSQL 15 of this machine, as postgres. */
final class LocalPostgres {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private LocalPostgres() {}

    /** A scratch directory the postgres user owns (the engine refuses to run as root). */
    /** The agent's target for an instance whose data and log live in {@code <scratch>/<dir>/}. */
    static ManagerClient.Target target(Path scratch, String pod, String dir) {
        return new ManagerClient.Target(
                "local",
                pod,
                ManagerClient.Flavour.POSTGRESQL,
                new ManagerClient.Layout(
                        scratch.resolve(dir + "/data").toString(),
                        scratch.resolve(dir + "/log").toString(),
                        BIN.toString(),
                        false));
    }

    /** The packaged jar the agent runs from; mvn package (and so mvn verify) builds it. */
    static Path agentJar() {
        Path jar = Path.of("target/orchestrator.jar").toAbsolutePath();
        assertTrue(Files.isReadable(jar), jar + " is missing; build it with mvn package (mvn verify does)");
        return jar;
    }

    /**
     * A manager client that runs the packaged agent as postgres through its container wrapper, as a pod exec would;
     * {@code env} adds NAME=value settings for the agent.
     */
    static JsonManagerClient agentClient(String... env) {
        List<String> command = new ArrayList<>(List.of("env", "POLARSTACK_ORCHESTRATOR_JAR=" + agentJar()));
        command.addAll(List.of(env));
        command.add(
                Path.of("rootfs/usr/local/bin/manager-agent").toAbsolutePath().toString());
        return new JsonManagerClient(LocalPodExec.asUser("postgres"), command, JsonManagerClient.defaultTimeouts());
    }

    static Path scratch(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        if (ROOT) {
            run(List.of("chown", "postgres:postgres", dir.toString()), Map.of());
        }
        return dir;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs argv as the postgres user; fails the test on a non-zero exit. */
    static String asPostgres(List<String> argv, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(argv);
        return run(command, env);
    }

    static String run(List<String> argv, Map<String, String> env) {
        try {
            ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true);
            b.environment().putAll(env);
            Process p = b.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(argv + " did not finish in 60 s");
            }
            assertEquals(0, p.exitValue(), () -> argv + " failed: " + out);
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Stops whatever postmaster runs on {@code dataDir} (immediate: this is cleanup). */
    static void stopQuietly(Path dataDir) {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            try {
                asPostgres(
                        List.of(
                                BIN.resolve("pg_ctl").toString(),
                                "stop",
                                "-D",
                                dataDir.toString(),
                                "-m",
                                "immediate",
                                "-w",
                                "-t",
                                "30"),
                        Map.of());
            } catch (AssertionError e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
    }

    static Connection tcp(int port, String user, String password) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable&connectTimeout=5", user, password);
    }
}
