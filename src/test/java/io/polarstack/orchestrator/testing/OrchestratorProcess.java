package io.polarstack.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged orchestrator jar as its own process: {@link #serve} with any arguments, or {@link #start} on the local
 * cluster, its operator watching one namespace, its H2 file database and logs ({@code orchestrator-<run>.log}) under a
 * work directory, so a restart finds what it left.
 */
public final class OrchestratorProcess {

    public static final Path JAR = Path.of("target/orchestrator.jar");
    public static final String IDENTITY = "restart-e2e-replica";

    private OrchestratorProcess() {}

    public static Process start(String namespace, Path work, int run) throws IOException {
        Files.createDirectories(work);
        return serve(
                work.resolve("orchestrator-" + run + ".log"),
                Map.of(),
                "-Xmx768m",
                "--server.port=0",
                "--orchestrator.data-dir=" + work.resolve("data").toAbsolutePath(),
                "--orchestrator.kubernetes.kubeconfig=" + LocalClusterSetup.KUBECONFIG,
                "--orchestrator.operator.enabled=true",
                "--orchestrator.operator.identity=" + IDENTITY,
                "--orchestrator.operator.namespaces=" + namespace,
                "--orchestrator.operator.lease-namespace=" + namespace,
                "--orchestrator.operator.shared-port-space=false");
    }

    /**
     * {@code java [-X…] -jar orchestrator.jar serve [--…]}: arguments starting with {@code -X} go to the JVM, the rest
     * to the application; {@code env} adds to the environment (secrets go there, never into argv). The admin password
     * is {@link AppTestSupport#ADMIN_PASSWORD}; output goes to {@code log}.
     */
    public static Process serve(Path log, Map<String, String> env, String... args) throws IOException {
        assertThat(JAR)
                .as("the packaged jar (mvn package runs before the IT and E2E tiers)")
                .exists();
        List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        List.of(args).stream().filter(a -> a.startsWith("-X")).forEach(argv::add);
        argv.addAll(List.of("-jar", JAR.toString(), "serve"));
        List.of(args).stream().filter(a -> !a.startsWith("-X")).forEach(argv::add);
        var builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("ORCHESTRATOR_ADMIN_PASSWORD", AppTestSupport.ADMIN_PASSWORD);
        return builder.start();
    }

    /** Waits (3 min at most) until the process answers the admin on {@code /engine-rest}; fails if it ends first. */
    public static void awaitUp(Process process, int port, Path log) throws Exception {
        var http = HttpClient.newHttpClient();
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < end) {
            assertThat(process.isAlive())
                    .as("the orchestrator runs; see %s", log)
                    .isTrue();
            try {
                var response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/engine-rest/engine"))
                                .header("Authorization", AppTestSupport.ADMIN_LOGIN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the orchestrator did not come up within 3 min; see " + log);
    }

    /** SIGKILL: no shutdown hook, no lock or Lease released. */
    public static void kill(Process orchestrator) throws InterruptedException {
        orchestrator.destroyForcibly();
        assertThat(orchestrator.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    public static void stop(Process orchestrator) throws InterruptedException {
        if (orchestrator != null && orchestrator.isAlive()) {
            orchestrator.destroy();
            orchestrator.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
