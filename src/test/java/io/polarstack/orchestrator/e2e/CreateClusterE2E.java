package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RunningCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Resource in, running databases out, on the local three-node cluster: a local-mode MPDCluster with one RW and
 * two ROs of real PostgreSQL 15 (the images scripts/local-images builds with BuildImages), created by the
 * operator's CreateCluster flow; a row written on the RW is read on both ROs; deleting the cluster runs
 * DeleteCluster and Kubernetes removes everything it owned.
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CreateClusterE2E {

    static final String NS = "e2e-" + System.nanoTime();

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        pg.operatorProperties(registry);
    }

    @Test
    void oneRwAndTwoRosReplicateAndDeleteLeavesNothing(KubernetesClient client) throws Exception {
        pg.create(2, RunningCluster.MEDIUM, Duration.ofMinutes(8));
        var running = pg.get();
        assertThat(running.getStatus().getDbInstanceStatus()).hasSize(3);
        assertThat(running.getStatus().getDbInstanceStatus().values())
                .extracting(InstanceStatus::getNodeName)
                .as("one instance per node")
                .doesNotHaveDuplicates()
                .hasSize(3);
        pg.assertReplicates(running, "written on the RW", Duration.ofSeconds(60));

        pg.deleteAndAwaitGone();
        await(
                Duration.ofMinutes(2),
                () -> "its pods, Secrets and Services garbage-collected",
                () -> client.pods().inNamespace(NS).list().getItems().isEmpty()
                        && client.services().inNamespace(NS).list().getItems().isEmpty()
                        && client.secrets()
                                .inNamespace(NS)
                                .withLabel("mpdcluster_name", RunningCluster.NAME)
                                .list()
                                .getItems()
                                .isEmpty());
    }
}
