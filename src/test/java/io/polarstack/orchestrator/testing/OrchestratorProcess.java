package io.polarstack.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The packaged orchestrator jar as its own process on the local cluster, its operator watching one namespace, its H2
 * file database and logs ({@code orchestrator-<run>.log}) under a work directory, so a restart finds what it left.
 */
public final class OrchestratorProcess {

    public static final Path JAR = Path.of("target/orchestrator.jar");
    public static final String IDENTITY = "restart-e2e-replica";

    private OrchestratorProcess() {}

    public static Process start(String namespace, Path work, int run) throws IOException {
        assertThat(JAR)
                .as("the packaged jar (mvn package runs before the E2E tier)")
                .exists();
        Files.createDirectories(work);
        String java = ProcessHandle.current().info().command().orElse("java");
        var builder = new ProcessBuilder(
                        java,
                        "-Xmx768m",
                        "-jar",
                        JAR.toString(),
                        "serve",
                        "--server.port=0",
                        "--orchestrator.data-dir=" + work.resolve("data").toAbsolutePath(),
                        "--orchestrator.kubernetes.kubeconfig=" + LocalClusterSetup.KUBECONFIG,
                        "--orchestrator.operator.enabled=true",
                        "--orchestrator.operator.identity=" + IDENTITY,
                        "--orchestrator.operator.namespaces=" + namespace,
                        "--orchestrator.operator.lease-namespace=" + namespace,
                        "--orchestrator.operator.shared-port-space=false")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("orchestrator-" + run + ".log").toFile());
        builder.environment().put("ORCHESTRATOR_ADMIN_PASSWORD", AppTestSupport.ADMIN_PASSWORD);
        return builder.start();
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
