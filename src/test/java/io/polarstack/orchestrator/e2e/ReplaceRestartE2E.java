package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.describe;
import static io.polarstack.orchestrator.testing.RunningCluster.notInterrupted;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.OrchestratorProcess;
import io.polarstack.orchestrator.testing.RunningCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The orchestrator, as its own process, is killed (SIGKILL) in the middle of a ReplaceInstance (an RO migrated to
 * the free node), after the new instance id was recorded and its pod made. Restarted, it finishes the migration with
 * that same new instance: no second id, no extra pod, the old RO gone, replication working.
 */
@LocalCluster
class ReplaceRestartE2E {

    static final String NS = "e2e-replace-restart-" + System.nanoTime();
    static final Path WORK = Path.of("target/restart-e2e", NS);

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    static Process orchestrator;

    @AfterAll
    static void tearDown() throws Exception {
        OrchestratorProcess.stop(orchestrator);
    }

    @Test
    void killedMidReplaceItFinishesWithTheSameNewInstance(KubernetesClient client) throws Exception {
        orchestrator = OrchestratorProcess.start(NS, WORK, 1);
        pg.create(1, RunningCluster.SMALL, Duration.ofMinutes(8));

        var running = pg.get();
        InstanceStatus ro = RunningCluster.ros(running).get(0);
        String target = pg.freeNode(running);
        pg.annotate(Annotations.MIGRATE, ro.getInsId() + "|" + target);

        // Mid-replace: the new instance is recorded (it replaces the RO) and its pod exists.
        await(
                Duration.ofMinutes(5),
                () -> "the replacement recorded and its pod made; last: " + describe(pg.get()),
                () -> {
                    notInterrupted(pg.get());
                    return replacement(pg.get(), ro.getInsId()) != null
                            && client.pods()
                                            .inNamespace(NS)
                                            .withName(replacement(pg.get(), ro.getInsId())
                                                    .getPodName())
                                            .get()
                                    != null;
                });
        InstanceStatus recorded = replacement(pg.get(), ro.getInsId());
        String podUid = client.pods()
                .inNamespace(NS)
                .withName(recorded.getPodName())
                .get()
                .getMetadata()
                .getUid();
        System.out.printf(
                "killing mid-replace: new instance %s (pod %s), step %s%n",
                recorded.getInsId(),
                recorded.getPodName(),
                pg.get().getStatus().getFlow() == null
                        ? "-"
                        : pg.get().getStatus().getFlow().getStep());
        OrchestratorProcess.kill(orchestrator);
        orchestrator = OrchestratorProcess.start(NS, WORK, 2);

        var after = pg.awaitDone(
                Duration.ofMinutes(8),
                "the migration finished after the restart",
                c -> !c.getStatus().getDbInstanceStatus().containsKey(ro.getInsId()));
        assertThat(after.getStatus().getDbInstanceStatus())
                .as("the RW and the one new instance recorded before the kill")
                .containsOnlyKeys(running.getStatus().getLeaderInstanceId(), recorded.getInsId());
        InstanceStatus moved = after.getStatus().getDbInstanceStatus().get(recorded.getInsId());
        assertThat(moved.getInsType()).isEqualTo(InstanceRole.RO);
        assertThat(moved.getNodeName()).isEqualTo(target);
        assertThat(moved.getPhysicalInsId()).as("same slot").isEqualTo(ro.getPhysicalInsId());
        pg.awaitPodGone(ro.getPodName()); // it stops within its grace period
        var pods = client.pods().inNamespace(NS).list().getItems().stream()
                .collect(Collectors.toMap(
                        p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
        assertThat(pods)
                .as("two pods: the RW's and the replacement's, made once")
                .hasSize(2)
                .containsEntry(recorded.getPodName(), podUid)
                .doesNotContainKey(ro.getPodName());
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(Annotations.MIGRATE);
        pg.assertReplicates(after, "after the restart");

        pg.deleteAndAwaitGone();
    }

    static InstanceStatus replacement(MPDCluster cluster, String oldInsId) {
        if (cluster == null
                || cluster.getStatus() == null
                || cluster.getStatus().getDbInstanceStatus() == null) {
            return null;
        }
        return cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(i -> oldInsId.equals(i.getReplacesInsId()))
                .findFirst()
                .orElse(null);
    }
}
