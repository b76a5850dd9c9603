package io.polarstack.orchestrator.adapters.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.FlowStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ClusterResources.ApplyResult;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fabric8 adapter against the real kube-apiserver of scripts/test-env. */
class KubernetesClusterResourcesIT {

    static KubernetesClient client;
    static ClusterResources resources;
    static String ns;

    @BeforeAll
    static void setUp() {
        client = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(client);
        resources = new KubernetesClusterResources(client);
        ns = "resources-" + System.nanoTime();
        TestEnvironment.createNamespace(client, ns);
    }

    @AfterAll
    static void tearDown() {
        client.namespaces().withName(ns).delete();
        client.close();
    }

    static MPDCluster newCluster(String name) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(ns);
        cluster.getMetadata().setName(name);
        return client.resource(cluster).create();
    }

    @Test
    void applyCreatesPatchesOrLeavesAlone() {
        var desired = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("params")
                .withNamespace(ns)
                .endMetadata()
                .addToData("work_mem", "4MB")
                .build();
        assertThat(resources.apply(desired)).isEqualTo(ApplyResult.CREATED);
        assertThat(resources.apply(desired)).isEqualTo(ApplyResult.UNCHANGED);
        desired.getData().put("work_mem", "8MB");
        assertThat(resources.apply(desired)).isEqualTo(ApplyResult.UPDATED);
        assertThat(client.configMaps().inNamespace(ns).withName("params").get().getData())
                .containsEntry("work_mem", "8MB");
    }

    @Test
    void statusWritesSurviveConcurrentWriters() throws Exception {
        newCluster("contended");
        resources.updateStatus(ns, "contended", s -> s.setFlow(new FlowStatus()));
        var pool = Executors.newFixedThreadPool(2);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            writers.add(pool.submit(() -> {
                for (int i = 0; i < 10; i++) {
                    resources.updateStatus(
                            ns,
                            "contended",
                            s -> s.getFlow()
                                    .setAttempt(
                                            s.getFlow().getAttempt() == null
                                                    ? 1
                                                    : s.getFlow().getAttempt() + 1));
                }
            }));
        }
        for (var writer : writers) {
            writer.get();
        }
        pool.shutdown();
        assertThat(resources
                        .cluster(ns, "contended")
                        .orElseThrow()
                        .getStatus()
                        .getFlow()
                        .getAttempt())
                .isEqualTo(20);
    }

    @Test
    void annotationsFinalizerAndEvents() throws Exception {
        newCluster("marked");
        resources.annotate(ns, "marked", Map.of("interrupt.reason", "POD_LOST"), Set.of());
        var cluster = resources.annotate(ns, "marked", Map.of("flushParams", "true"), Set.of("interrupt.reason"));
        assertThat(cluster.getMetadata().getAnnotations())
                .containsEntry("flushParams", "true")
                .doesNotContainKey("interrupt.reason");
        String version = cluster.getMetadata().getResourceVersion();
        assertThat(resources
                        .annotate(ns, "marked", Map.of("flushParams", "true"), Set.of("absent"))
                        .getMetadata()
                        .getResourceVersion())
                .as("no-op writes nothing")
                .isEqualTo(version);

        assertThat(resources.finalizer(ns, "marked", true).getMetadata().getFinalizers())
                .containsExactly(MPDCluster.FINALIZER);
        assertThat(resources.finalizer(ns, "marked", true).getMetadata().getFinalizers())
                .containsExactly(MPDCluster.FINALIZER);
        assertThat(resources.finalizer(ns, "marked", false).getMetadata().getFinalizers())
                .isNullOrEmpty();

        resources.event(cluster, "Warning", "StepFailed", "Task_InstallRw: engine did not start");
        var events = client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "marked".equals(e.getInvolvedObject().getName()))
                .toList();
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("StepFailed");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("MPDCluster");
        });
    }

    @Test
    void idsAreNeverHandedOutTwice() throws Exception {
        var pool = Executors.newFixedThreadPool(3);
        List<Future<Long>> reservations = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            reservations.add(pool.submit(() -> resources.reserveIds(ns, 3)));
        }
        List<Long> ids = new ArrayList<>();
        for (var reservation : reservations) {
            long first = reservation.get();
            LongStream.range(first, first + 3).forEach(ids::add);
        }
        pool.shutdown();
        assertThat(ids).hasSize(45).doesNotHaveDuplicates();
        assertThat(ids).allMatch(id -> id >= 1000);
    }

    @Test
    void podStateAndDeletion() {
        client.pods()
                .inNamespace(ns)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("engine")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("c")
                        .withImage("busybox")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        var state = resources.pod(ns, "engine").orElseThrow();
        assertThat(state.ready()).isFalse(); // no kubelet in this environment: it stays Pending
        assertThat(state.phase()).isEqualTo("Pending");
        resources.deletePod(ns, "engine");
        resources.deletePod(ns, "engine"); // deleting twice is fine
        assertThat(resources
                        .pod(ns, "engine")
                        .map(ClusterResources.PodState::deleting)
                        .orElse(true))
                .isTrue();
        assertThat(resources.pod(ns, "absent")).isEmpty();
    }

    @Test
    void nodeStateReadsTheReadyConditionAndTheOutOfServiceTaint() {
        String name = "fence-" + System.nanoTime();
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        try {
            assertThat(resources.node(name)).contains(new ClusterResources.NodeState(name, false, false));
            client.nodes()
                    .withName(name)
                    .edit(n -> new NodeBuilder(n)
                            .editOrNewSpec()
                            .addNewTaint()
                            .withKey(ClusterResources.OUT_OF_SERVICE_TAINT)
                            .withValue("nodeshutdown")
                            .withEffect("NoExecute")
                            .endTaint()
                            .endSpec()
                            .build());
            var node = client.nodes().withName(name).get();
            node.setStatus(new NodeStatusBuilder()
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus("True")
                    .endCondition()
                    .build());
            client.nodes().resource(node).updateStatus();
            assertThat(resources.node(name)).contains(new ClusterResources.NodeState(name, true, true));
            assertThat(resources.node("absent-" + name)).isEmpty();
        } finally {
            client.nodes().withName(name).delete();
        }
    }

    @Test
    void theWatchSeesClustersComeAndChange() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (var watch = resources.watchClusters(
                Set.of(ns), Duration.ofMinutes(1), c -> seen.add(c.getMetadata().getName()))) {
            newCluster("watched");
            await(() -> seen.contains("watched"), "the watch to report the new cluster");
        }
    }

    @Test
    void oneLeaderAtATimeAndTheLeaseMovesWhenItsHolderLeaves() throws Exception {
        AtomicReference<String> leader = new AtomicReference<>();
        var first = resources.lead(
                ns,
                "orchestrator",
                "replica-a",
                () -> leader.set("replica-a"),
                () -> leader.compareAndSet("replica-a", null));
        await(() -> "replica-a".equals(leader.get()), "replica-a to lead");
        var second = resources.lead(ns, "orchestrator", "replica-b", () -> leader.set("replica-b"), () -> {});
        Thread.sleep(3000);
        assertThat(leader.get())
                .as("replica-b waits while replica-a holds the lease")
                .isEqualTo("replica-a");
        first.close();
        await(() -> "replica-b".equals(leader.get()), "replica-b to take over the released lease");
        second.close();
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
            Thread.sleep(100);
        }
    }
}
