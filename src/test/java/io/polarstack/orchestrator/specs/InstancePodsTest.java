package io.polarstack.orchestrator.specs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.LocalStore;
import io.polarstack.orchestrator.api.MPDCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstancePodsTest {

    static final ClassResources MEDIUM = ClassResources.fromConfigMap(
            "polar.o.x4.medium",
            Map.of(
                    "cpu_cores",
                    "2",
                    "cpu_cores_request",
                    "1",
                    "mem_limit",
                    "4294967296",
                    "mem_request",
                    "2147483648",
                    "hugepage_limit",
                    "0",
                    "max_conn",
                    "800"));

    static MPDCluster sample(String file) throws Exception {
        MPDCluster cluster =
                Serialization.unmarshal(Files.readString(Path.of("deploy/samples", file)), MPDCluster.class);
        cluster.getMetadata().setUid("uid-1");
        return cluster;
    }

    static InstancePlan plan(String role, String target, Set<String> unavailable) {
        return new InstancePlan(
                "1002", "1001", role, 5432, target, unavailable, "reg/engine:1", "reg/manager:1", "reg/pfsd:1");
    }

    static Container container(Pod pod, String name) {
        return pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void localInstanceRunsOnTheHostNetworkWithItsOwnDirectories() throws Exception {
        var cluster = sample("mpdcluster-local.yaml");
        Pod pod = InstancePods.build(cluster, plan("rw", null, Set.of()), MEDIUM, "/var/lib/polarstack");
        assertThat(pod.getMetadata().getName()).isEqualTo("pg-local-1001-1002");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry(Labels.ROLE, "rw")
                .containsEntry(Labels.CLUSTER, "pg-local")
                .containsEntry(Labels.SLOT, "1001")
                .containsEntry(Labels.INSTANCE, "1002");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("MPDCluster");
            assertThat(o.getUid()).isEqualTo("uid-1");
            assertThat(o.getController()).isTrue();
        });
        assertThat(pod.getSpec().getHostNetwork()).isTrue();
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("engine", "manager");
        var engine = container(pod, "engine");
        assertThat(engine.getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(5432));
        assertThat(engine.getResources().getLimits())
                .containsEntry("cpu", new Quantity("2"))
                .containsEntry("memory", new Quantity("4294967296"))
                .doesNotContainKey("hugepages-2Mi");
        assertThat(engine.getResources().getRequests()).containsEntry("cpu", new Quantity("1"));
        assertThat(engine.getVolumeMounts())
                .extracting(m -> m.getMountPath())
                .containsExactly("/data", "/log", "/var/run/polarstack");
        assertThat(container(pod, "manager").getVolumeMounts())
                .extracting(m -> m.getMountPath())
                .as("the socket seen by both")
                .contains("/var/run/polarstack");
        assertThat(container(pod, "manager").getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POLARSTACK_SOCKET_DIR");
            assertThat(e.getValue()).isEqualTo("/var/run/polarstack");
        });
        assertThat(engine.getVolumeDevices()).isNullOrEmpty();
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("data");
            assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/polarstack/default/pg-local/1002/data");
        });
        assertThat(engine.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POLARSTACK_HOST_IP");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        });
        assertThat(InstancePods.dataClaim(cluster, plan("rw", null, Set.of()))).isNull();
    }

    @Test
    void schedulingAvoidsBadNodesAndSiblingsAndHonoursATarget() throws Exception {
        var pod = InstancePods.build(
                sample("mpdcluster-local.yaml"), plan("ro", "node-c", Set.of("node-b", "node-a")), MEDIUM, "/srv");
        var terms = pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertThat(terms)
                .singleElement()
                .satisfies(t -> assertThat(t.getMatchExpressions())
                        .extracting(r -> r.getKey() + " " + r.getOperator() + " " + r.getValues())
                        .containsExactly(
                                "mpd.polardb.aliyun.com/maintainNode DoesNotExist []",
                                "kubernetes.io/hostname NotIn [node-a, node-b]",
                                "kubernetes.io/hostname In [node-c]"));
        var anti = pod.getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(anti).singleElement().satisfies(a -> {
            assertThat(a.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(a.getLabelSelector().getMatchLabels()).containsEntry(Labels.CLUSTER, "pg-local");
        });
    }

    @Test
    void shareInstanceGetsTheLunAsARawDeviceAndPfsd() throws Exception {
        var pod = InstancePods.build(sample("mpdcluster-share.yaml"), plan("ro", null, Set.of()), MEDIUM, "/srv");
        assertThat(pod.getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("engine", "manager", "pfsd");
        for (var c : pod.getSpec().getContainers()) {
            assertThat(c.getVolumeDevices())
                    .singleElement()
                    .satisfies(d ->
                            assertThat(d.getDevicePath()).isEqualTo("/dev/mapper/36e00084100ee7ec9e7d6b6d3f0d5e0a1"));
        }
        assertThat(pod.getSpec().getVolumes())
                .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .anySatisfy(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("pvc-36e00084100ee7ec9"));
    }

    @Test
    void localStorageClassGivesEachInstanceAClaim() throws Exception {
        var cluster = sample("mpdcluster-local.yaml");
        var store = new LocalStore();
        store.setStorageClassName("fast");
        store.setSize("20Gi");
        cluster.getSpec().setLocalStore(store);
        var claim = InstancePods.dataClaim(cluster, plan("ro", null, Set.of()));
        assertThat(claim.getMetadata().getName()).isEqualTo("pg-local-1001-1002-data");
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("20Gi"));
        var pod = InstancePods.build(cluster, plan("ro", null, Set.of()), MEDIUM, "/srv");
        assertThat(pod.getSpec().getVolumes())
                .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .anySatisfy(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("pg-local-1001-1002-data"));
    }

    @Test
    void classesWithHugepagesAskForThemAndMissingKeysAreNamed() {
        var big = ClassResources.fromConfigMap(
                "polar.o.x8.xlarge", Map.of("cpu_cores", "8", "mem_limit", "17179869184", "hugepage_limit", "2048"));
        assertThat(big.engineRequirements().getLimits()).containsEntry("hugepages-2Mi", new Quantity("2048Mi"));
        assertThat(big.cpuRequest()).isEqualTo("8");
        assertThatThrownBy(() -> ClassResources.fromConfigMap("polar.o.x1", Map.of("cpu_cores", "1")))
                .hasMessageContaining("polar.o.x1")
                .hasMessageContaining("mem_limit");
        assertThatThrownBy(() -> plan("leader", null, Set.of())).hasMessageContaining("rw, ro or tempro");
    }

    @Test
    void secretsServicesAndParamsBelongToTheCluster() throws Exception {
        var cluster = sample("mpdcluster-local.yaml");
        var secret = AccountSecrets.build(cluster, "1000", AccountSecrets.Account.AURORA, "s3cret");
        assertThat(secret.getMetadata().getName()).isEqualTo("pg-local-1000-aurora");
        assertThat(secret.getStringData()).containsEntry("Account", "aurora").containsEntry("Priviledge_type", "7");
        assertThat(secret.getMetadata().getOwnerReferences()).hasSize(1);
        var rw = ClusterServices.build(cluster, "rw", 5432);
        assertThat(rw.getSpec().getSelector())
                .containsEntry(Labels.ROLE, "rw")
                .containsEntry(Labels.CLUSTER, "pg-local");
        var params = ParamsConfigMaps.build(
                cluster,
                ParamsConfigMaps.userParamsName(cluster),
                Map.of("work_mem", "'4MB'"),
                Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(params.getMetadata().getName()).isEqualTo("pg-local-user-params");
        @SuppressWarnings("unchecked")
        Map<String, Object> entry = Serialization.unmarshal(params.getData().get("work_mem"), Map.class);
        assertThat(entry)
                .containsEntry("name", "work_mem")
                .containsEntry("value", "'4MB'")
                .containsEntry("updateTime", "2026-01-01T00:00:00Z");
    }

    @Test
    void aNewClusterGetsBothAccountsWithTheirOwnPasswordsAndBothParamsConfigMaps() throws Exception {
        var cluster = sample("mpdcluster-local.yaml");
        var secrets = AccountSecrets.buildAll(cluster, "1000");
        assertThat(secrets)
                .extracting(s -> s.getMetadata().getName())
                .containsExactly("pg-local-1000-aurora", "pg-local-1000-replicator");
        assertThat(secrets.get(0).getStringData().get("Password"))
                .hasSize(32)
                .isNotEqualTo(secrets.get(1).getStringData().get("Password"));
        var configMaps = ParamsConfigMaps.buildAll(cluster, Map.of("work_mem", "4MB"), Instant.EPOCH);
        assertThat(configMaps)
                .extracting(c -> c.getMetadata().getName())
                .containsExactly("pg-local-user-params", "pg-local-running-params");
        assertThat(ParamsConfigMaps.values(
                        "pg-local-running-params", configMaps.get(1).getData()))
                .containsEntry("work_mem", "4MB");
    }
}
