package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.LocalCluster;

/**
 * The orchestrator, as its own process, is killed (SIGKILL) in the middle of a ReplaceInstance (an RO migrated to
 * the free node), after the new instance id was recorded and its pod made. Restarted, it finishes the migration with
 * that same new instance: no second id, no extra pod, the old RO gone, replication working.
 */
@LocalCluster
class ReplaceRestartE2E {

    static final String NS = "e2e-replace-restart-" + System.nanoTime();
    static final Path WORK = Path.of("target/restart-e2e", NS);
    static Process orchestrator;

    @BeforeAll
    static void setUp(KubernetesClient client) throws Exception {
        assertThat(OrchestratorRestartE2E.JAR).as("the packaged jar (mvn package runs before the E2E tier)").exists();
        FailoverE2E.imagesCatalogAndNamespace(client, NS);
        InstanceFlowsE2E.smallClass(client);
        Files.createDirectories(WORK);
    }

    @AfterAll
    static void tearDown(KubernetesClient client) throws Exception {
        if (orchestrator != null && orchestrator.isAlive()) {
            orchestrator.destroy();
            orchestrator.waitFor(30, TimeUnit.SECONDS);
        }
        client.resources(MPDCluster.class).inNamespace(NS).list().getItems().forEach(c -> client.resources(MPDCluster.class)
                .inNamespace(NS).withName(c.getMetadata().getName()).edit(e -> { e.getMetadata().setFinalizers(List.of()); return e; }));
        client.namespaces().withName(NS).delete();
    }

    @Test
    void killedMidReplaceItFinishesWithTheSameNewInstance(KubernetesClient client) throws Exception {
        orchestrator = OrchestratorRestartE2E.startOrchestrator(NS, WORK, 1);
        MPDCluster cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        cluster.getSpec().setFollowerNum(1);
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getClassInfo().setClassName(InstanceFlowsE2E.CLASS);
        cluster.getSpec().getNetCfg().setEngineStartPort(CreateClusterE2E.freePort());
        client.resource(cluster).create();
        var resource = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");
        FailoverE2E.awaitRunning(resource, NS, Duration.ofMinutes(8), "created");

        var running = resource.get();
        InstanceStatus ro = FailoverE2E.ros(running).get(0);
        Set<String> used = running.getStatus().getDbInstanceStatus().values().stream().map(InstanceStatus::getNodeName)
                .collect(Collectors.toSet());
        String target = client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).filter(n -> !used.contains(n))
                .sorted().findFirst().orElseThrow();
        FailoverE2E.annotate(resource, "migrate", ro.getInsId() + "|" + target);

        // Mid-replace: the new instance is recorded (it replaces the RO) and its pod exists.
        await(Duration.ofMinutes(5), () -> "the replacement recorded and its pod made; last: " + CreateClusterE2E.describe(resource.get()),
                () -> {
                    OrchestratorRestartE2E.notInterrupted(resource.get());
                    return replacement(resource.get(), ro.getInsId()) != null && client.pods().inNamespace(NS)
                            .withName(replacement(resource.get(), ro.getInsId()).getPodName()).get() != null;
                });
        InstanceStatus recorded = replacement(resource.get(), ro.getInsId());
        String podUid = client.pods().inNamespace(NS).withName(recorded.getPodName()).get().getMetadata().getUid();
        System.out.printf("killing mid-replace: new instance %s (pod %s), step %s%n", recorded.getInsId(), recorded.getPodName(),
                resource.get().getStatus().getFlow() == null ? "-" : resource.get().getStatus().getFlow().getStep());
        orchestrator.destroyForcibly();
        assertThat(orchestrator.waitFor(30, TimeUnit.SECONDS)).isTrue();
        orchestrator = OrchestratorRestartE2E.startOrchestrator(NS, WORK, 2);

        await(Duration.ofMinutes(8), () -> "the migration finished after the restart; last: " + CreateClusterE2E.describe(resource.get()),
                () -> {
                    var c = resource.get();
                    OrchestratorRestartE2E.notInterrupted(c);
                    return "Running".equals(c.getStatus().getClusterStatus()) && c.getStatus().getFlow() == null
                            && !c.getStatus().getDbInstanceStatus().containsKey(ro.getInsId());
                });
        var after = resource.get();
        assertThat(after.getStatus().getDbInstanceStatus()).as("the RW and the one new instance recorded before the kill")
                .containsOnlyKeys(running.getStatus().getLeaderInstanceId(), recorded.getInsId());
        InstanceStatus moved = after.getStatus().getDbInstanceStatus().get(recorded.getInsId());
        assertThat(moved.getInsType()).isEqualTo("ro");
        assertThat(moved.getNodeName()).isEqualTo(target);
        assertThat(moved.getPhysicalInsId()).as("same slot").isEqualTo(ro.getPhysicalInsId());
        await(Duration.ofMinutes(2), () -> "the old RO's pod " + ro.getPodName() + " gone (it stops within its grace period)",
                () -> client.pods().inNamespace(NS).withName(ro.getPodName()).get() == null);
        var pods = client.pods().inNamespace(NS).list().getItems().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
        assertThat(pods).as("two pods: the RW's and the replacement's, made once").hasSize(2)
                .containsEntry(recorded.getPodName(), podUid).doesNotContainKey(ro.getPodName());
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("migrate");

        String password = FailoverE2E.password(client, after, NS);
        InstanceStatus rw = after.getStatus().getDbInstanceStatus().get(after.getStatus().getLeaderInstanceId());
        try (var c = CreateClusterE2E.connect(rw, password); var st = c.createStatement()) {
            st.execute("create table replace_restart(id int primary key)");
            st.execute("insert into replace_restart values (1)");
        }
        await(Duration.ofSeconds(90), () -> "the row on the new RO " + moved.getInsId(), () -> {
            try (var c = CreateClusterE2E.connect(moved, password); var st = c.createStatement();
                 var rows = st.executeQuery("select count(*) from replace_restart")) {
                return rows.next() && rows.getInt(1) == 1;
            } catch (SQLException e) {
                return false;
            }
        });

        resource.delete();
        await(Duration.ofMinutes(3), () -> "MPDCluster " + NS + "/pg gone through DeleteCluster", () -> resource.get() == null);
    }

    static InstanceStatus replacement(MPDCluster cluster, String oldInsId) {
        if (cluster == null || cluster.getStatus() == null || cluster.getStatus().getDbInstanceStatus() == null) {
            return null;
        }
        return cluster.getStatus().getDbInstanceStatus().values().stream().filter(i -> oldInsId.equals(i.getReplacesInsId()))
                .findFirst().orElse(null);
    }
}
