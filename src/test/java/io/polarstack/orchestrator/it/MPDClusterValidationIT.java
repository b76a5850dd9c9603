package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CRD's schema refuses bad clusters at the API server, naming the field, and nothing is stored. */
class MPDClusterValidationIT {

    static KubernetesClient client;

    @BeforeAll
    static void installCrd() {
        client = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(client);
    }

    @AfterAll
    static void close() {
        client.close();
    }

    record Case(String name, Consumer<Map<String, Object>> breakIt, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> map, String key) {
        return (Map<String, Object>) map.get(key);
    }

    static Stream<Case> invalid() {
        return Stream.of(
                new Case("unknown cluster type", s -> s.put("dbClusterType", "cloud"), "spec.dbClusterType"),
                new Case("too many ROs", s -> s.put("followerNum", 16), "spec.followerNum"),
                new Case("unknown durability", s -> s.put("dataDurability", "sometimes"), "spec.dataDurability"),
                new Case("negative ROs", s -> s.put("followerNum", -1), "spec.followerNum"),
                new Case("ROs as text", s -> s.put("followerNum", "two"), "spec.followerNum"),
                new Case(
                        "privileged port",
                        s -> at(s, "netCfg").put("engineStartPort", 80),
                        "spec.netCfg.engineStartPort"),
                new Case(
                        "port beyond 65535",
                        s -> at(s, "netCfg").put("engineStartPort", 70000),
                        "spec.netCfg.engineStartPort"),
                new Case(
                        "malformed class",
                        s -> at(s, "classInfo").put("className", "Polar O;X4"),
                        "spec.classInfo.className"),
                new Case("no class", s -> s.remove("classInfo"), "spec.classInfo"),
                new Case("no port", s -> s.remove("netCfg"), "spec.netCfg"),
                new Case("share without its LUN", s -> s.remove("shareStore"), "spec.shareStore"),
                new Case(
                        "WWID with a shell",
                        s -> at(s, "shareStore").put("volumeId", "36e0$(reboot)"),
                        "spec.shareStore.volumeId"),
                new Case(
                        "WWID upper-case",
                        s -> at(s, "shareStore").put("volumeId", "36E00084100EE7EC9"),
                        "spec.shareStore.volumeId"),
                new Case(
                        "unknown volume type",
                        s -> at(s, "shareStore").put("volumeType", "nfs"),
                        "spec.shareStore.volumeType"),
                new Case(
                        "malformed PVC name",
                        s -> at(s, "shareStore").put("sharePvcName", "Bad_Name"),
                        "spec.shareStore.sharePvcName"),
                new Case(
                        "malformed version",
                        s -> s.put("versionCfg", Map.of("versionName", "Image_Open")),
                        "spec.versionCfg.versionName"),
                new Case(
                        "quota not a number",
                        s -> at(s, "shareStore").put("diskQuota", "100G"),
                        "spec.shareStore.diskQuota"));
    }

    /**
     * PolarDB Stack writes "" for every optional field it does not set. Such a resource is accepted as it is, and
     * the operator reads each "" as unset (TriggerTableTest#emptyStringsAreUnset).
     */
    static Stream<String> polarDbStackStyle() {
        return Stream.of("deploy/samples/mpdcluster-share.yaml", "deploy/samples/mpdcluster-local.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("polarDbStackStyle")
    @SuppressWarnings("unchecked")
    void acceptedWithEveryOptionalFieldEmpty(String sample) throws Exception {
        var cluster = Serialization.unmarshal(Files.readString(Path.of(sample)), GenericKubernetesResource.class);
        String name = "stack-style-" + System.nanoTime();
        cluster.getMetadata().setName(name);
        cluster.getMetadata().setNamespace("default");
        var spec = (Map<String, Object>) cluster.getAdditionalProperties().get("spec");
        spec.put("operatorName", "");
        spec.put("dataDurability", "");
        spec.put("dbType", "");
        spec.put("description", "");
        spec.put("classInfoModifyTo", Map.of("className", "", "cpu", "", "memory", "", "iops", ""));
        spec.put("versionCfg", Map.of("versionName", ""));
        spec.put("versionCfgModifyTo", Map.of("versionName", ""));
        if ("share".equals(spec.get("dbClusterType"))) {
            var store = at(spec, "shareStore");
            for (String field :
                    new String[] {"drive", "sharePvcName", "sharePvcNamespace", "volumeType", "diskQuota"}) {
                store.put(field, "");
            }
        } else {
            spec.put("localStore", Map.of("storageClassName", "", "size", ""));
        }

        var created = client.resource(cluster).create();
        try {
            var stored = (Map<String, Object>) created.getAdditionalProperties().get("spec");
            assertThat(at(stored, "classInfoModifyTo")).containsEntry("className", "");
            assertThat(stored).containsEntry("dataDurability", "");
        } finally {
            client.resource(created).delete();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    @SuppressWarnings("unchecked")
    void rejected(Case c) throws Exception {
        var cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-share.yaml")), GenericKubernetesResource.class);
        String name = "invalid-" + System.nanoTime();
        cluster.getMetadata().setName(name);
        c.breakIt()
                .accept((Map<String, Object>) cluster.getAdditionalProperties().get("spec"));
        assertThatThrownBy(() -> client.resource(cluster).create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining(c.message());
        assertThat(client.genericKubernetesResources("mpd.polardb.aliyun.com/v1", "MPDCluster")
                        .inNamespace("default")
                        .withName(name)
                        .get())
                .isNull();
    }
}
