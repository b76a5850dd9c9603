package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import java.util.List;

/** The sshj {@link StorageFabric} for tests of other packages, without a Spring context. */
public final class TestStorageFabrics {

    private TestStorageFabrics() {}

    public static StorageFabric ssh(ClusterResources cluster, OrchestratorProperties.Storage settings) {
        return new SshStorageFabric(cluster, settings);
    }

    /** Runs {@code argv} on {@code node}'s storage host over the fabric's connection (e.g. the simulator's write probe). */
    public static Ran run(StorageFabric fabric, String node, List<String> argv) {
        var result = ((SshStorageFabric) fabric).run(node, argv);
        return new Ran(result.exitStatus(), result.stdout(), result.stderr());
    }

    public static void close(StorageFabric fabric) {
        ((SshStorageFabric) fabric).close();
    }

    public record Ran(int exitStatus, String stdout, String stderr) {}
}
