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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The orchestrator, as its own process, is killed (SIGKILL) in the middle of a ReplaceInstance (an RO migrated to
 * the free node), after the new instance id was recorded and its pod made. Restarted, it finishes the migration with
 * that same new instance: no second id, no extra pod, the old RO gone, replication working. Then, on the same
 * cluster, FlushParams: a reload parameter on every instance without a restart, a refused name, a no-op, and the
 * restart decision up to the RestartCluster call.
 */
@LocalCluster
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    @Order(1)
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
    }

    /** An entry of {@code <cluster>-user-params} as a user edits it: the value and a fresh updateTime. */
    static void editUserParams(KubernetesClient client, String name, String value) {
        var configMap = client.configMaps().inNamespace(NS).withName(RunningCluster.NAME + "-user-params");
        configMap.edit(c -> {
            c.getData()
                    .put(
                            name,
                            "{\"name\":\"" + name + "\",\"value\":\"" + value + "\",\"updateTime\":\""
                                    + java.time.Instant.now() + "\",\"inoperative_value\":\"\"}");
            return c;
        });
    }

    static void removeUserParam(KubernetesClient client, String name) {
        client.configMaps()
                .inNamespace(NS)
                .withName(RunningCluster.NAME + "-user-params")
                .edit(c -> {
                    c.getData().remove(name);
                    return c;
                });
    }

    static java.util.Map<String, String> runningParams(KubernetesClient client) {
        return client.configMaps()
                .inNamespace(NS)
                .withName(RunningCluster.NAME + "-running-params")
                .get()
                .getData();
    }

    MPDCluster flush(String what) {
        pg.annotate(Annotations.FLUSH_PARAMS, "true");
        return pg.awaitDone(
                Duration.ofMinutes(3),
                what,
                c -> c.getMetadata().getAnnotations() == null
                        || !c.getMetadata().getAnnotations().containsKey(Annotations.FLUSH_PARAMS));
    }

    @Test
    @Order(2)
    void aReloadParameterReachesEveryInstanceWithoutARestart(KubernetesClient client) {
        var cluster = pg.get();
        var instances = cluster.getStatus().getDbInstanceStatus().values().stream()
                .sorted(java.util.Comparator.comparing(InstanceStatus::getInsId))
                .toList();
        var started = instances.stream().collect(Collectors.toMap(InstanceStatus::getInsId, this::postmasterStart));
        editUserParams(client, "log_min_duration_statement", "250");
        flush("the flush of log_min_duration_statement");
        for (var instance : instances) {
            assertThat(pg.setting(instance, "log_min_duration_statement"))
                    .as(instance.getInsId())
                    .isEqualTo("250ms");
            assertThat(postmasterStart(instance))
                    .as("instance " + instance.getInsId() + " not restarted")
                    .isEqualTo(started.get(instance.getInsId()));
        }
        assertThat(runningParams(client).get("log_min_duration_statement")).contains("\"value\":\"250\"");
        assertThat(pg.events("ParamsFlushed")).isNotEmpty();
    }

    @Test
    @Order(3)
    void aNameOffTheAllowListIsRefusedWithNothingWritten(KubernetesClient client) {
        var before = runningParams(client);
        editUserParams(client, "archive_command", "/bin/true");
        flush("the refused flush");
        String message = pg.awaitCondition("OperationAvailable", false, "PARAMS_REFUSED", Duration.ofMinutes(1));
        System.out.println("refused: " + message);
        assertThat(message).contains("archive_command", "allow list");
        assertThat(runningParams(client)).isEqualTo(before);
        var rw = pg.get()
                .getStatus()
                .getDbInstanceStatus()
                .get(pg.get().getStatus().getLeaderInstanceId());
        assertThat(pg.setting(rw, "archive_command")).isNotEqualTo("/bin/true");
        removeUserParam(client, "archive_command");
    }

    @Test
    @Order(4)
    void aFlushWithNothingNewChangesNothingAndSaysSo(KubernetesClient client) {
        String version = client.configMaps()
                .inNamespace(NS)
                .withName(RunningCluster.NAME + "-running-params")
                .get()
                .getMetadata()
                .getResourceVersion();
        int noOps = pg.events("FlushNoOp").size();
        flush("the no-op flush");
        assertThat(pg.events("FlushNoOp")).hasSizeGreaterThan(noOps);
        assertThat(client.configMaps()
                        .inNamespace(NS)
                        .withName(RunningCluster.NAME + "-running-params")
                        .get()
                        .getMetadata()
                        .getResourceVersion())
                .isEqualTo(version);
    }

    /**
     * A postmaster parameter: the flow writes it (pending on every instance), records flushParamsRestartCluster and
     * calls RestartCluster, which restarts the ROs one by one and then the RW; the value then runs everywhere.
     */
    @Test
    @Order(5)
    void aParameterThatNeedsARestartRunsEverywhereAfterARollingRestart(KubernetesClient client) {
        var instances = pg.get().getStatus().getDbInstanceStatus().values().stream()
                .sorted(java.util.Comparator.comparing(InstanceStatus::getInsId))
                .toList();
        var started = instances.stream().collect(Collectors.toMap(InstanceStatus::getInsId, this::postmasterStart));
        editUserParams(client, "max_connections", "120");
        pg.annotate(Annotations.FLUSH_PARAMS, "true");
        pg.awaitDone(
                Duration.ofMinutes(10),
                "the flush of max_connections with its rolling restart",
                c -> c.getMetadata().getAnnotations() == null
                        || !c.getMetadata().getAnnotations().containsKey(Annotations.FLUSH_PARAMS));
        assertThat(pg.events("FlushNeedsRestart")).anyMatch(m -> m.contains("max_connections"));
        for (var instance : pg.get().getStatus().getDbInstanceStatus().values()) {
            assertThat(pg.setting(instance, "max_connections"))
                    .as(instance.getInsId())
                    .isEqualTo("120");
            assertThat(postmasterStart(instance))
                    .as("instance " + instance.getInsId() + " restarted")
                    .isNotEqualTo(started.get(instance.getInsId()));
        }
        assertThat(runningParams(client).get("max_connections")).contains("\"value\":\"120\"");
    }

    @Test
    @Order(9)
    void deletedThroughDeleteCluster() {
        pg.deleteAndAwaitGone();
    }

    String postmasterStart(InstanceStatus instance) {
        try (var c = pg.connect(instance);
                var rows = c.createStatement().executeQuery("select pg_postmaster_start_time()::text")) {
            rows.next();
            return rows.getString(1);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
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
