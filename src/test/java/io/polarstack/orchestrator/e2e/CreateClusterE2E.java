package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LocalClusterSetup;
import io.polarstack.orchestrator.testing.TestEnvironment;

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
    static final Path KUBECONFIG = Path.of("/tmp/polarstack-local-cluster/kubeconfig");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "create-cluster-e2e");
        registry.add("orchestrator.kubernetes.kubeconfig", KUBECONFIG::toString);
        registry.add("orchestrator.operator.enabled", () -> "true");
        registry.add("orchestrator.operator.namespaces", () -> NS);
        registry.add("orchestrator.operator.lease-namespace", () -> NS);
    }

    @BeforeAll
    static void imagesCatalogAndNamespace(KubernetesClient client) throws Exception {
        LocalClusterSetup.localImages();
        TestEnvironment.installCrd(client);
        List<HasMetadata> classes = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/catalog-class-polar.o.x4.medium.yaml")));
        classes.forEach(c -> client.resource((ConfigMap) c).forceConflicts().serverSideApply());
        LocalClusterSetup.namespace(client, NS);
    }

    @AfterAll
    static void dropNamespace(KubernetesClient client) {
        client.namespaces().withName(NS).delete();
    }

    @Test
    void oneRwAndTwoRosReplicateAndDeleteLeavesNothing(KubernetesClient client) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")),
                MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getNetCfg().setEngineStartPort(freePort());
        client.resource(cluster).create();

        var resource = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");
        await(Duration.ofMinutes(8), () -> "MPDCluster " + NS + "/pg Running; last: " + describe(resource.get()),
                () -> {
                    var c = resource.get();
                    if (c != null && c.getStatus() != null && "Interrupt".equals(c.getStatus().getClusterStatus())) {
                        throw new AssertionError("the flow stopped with an incident: " + describe(c));
                    }
                    return c != null && c.getStatus() != null && "Running".equals(c.getStatus().getClusterStatus());
                });
        var running = resource.get();
        assertThat(running.getStatus().getDbInstanceStatus()).hasSize(3);
        assertThat(running.getStatus().getDbInstanceStatus().values()).extracting(InstanceStatus::getNodeName)
                .as("one instance per node").doesNotHaveDuplicates().hasSize(3);

        InstanceStatus rw = running.getStatus().getDbInstanceStatus().get(running.getStatus().getLeaderInstanceId());
        var secret = client.secrets().inNamespace(NS).withName("pg-" + running.getStatus().getLogicId() + "-aurora").get();
        String password = new String(java.util.Base64.getDecoder().decode(secret.getData().get("Password")), StandardCharsets.UTF_8);
        try (var c = connect(rw, password); var st = c.createStatement()) {
            st.execute("create table e2e(id int primary key, note text)");
            st.execute("insert into e2e values (1, 'written on the RW')");
        }
        for (InstanceStatus ro : running.getStatus().getDbInstanceStatus().values()) {
            if (!"ro".equals(ro.getInsType())) {
                continue;
            }
            await(Duration.ofSeconds(60), () -> "the row on RO " + ro.getInsId() + " at " + ro.getNetInfo().getWorkingHostIP(),
                    () -> {
                        try (var c = connect(ro, password); var st = c.createStatement();
                             var rows = st.executeQuery("select note from e2e where id = 1")) {
                            return rows.next() && rows.getString(1).equals("written on the RW");
                        } catch (SQLException e) {
                            return false;  // not replayed yet
                        }
                    });
        }

        resource.delete();
        await(Duration.ofMinutes(3), () -> "MPDCluster " + NS + "/pg gone through DeleteCluster", () -> resource.get() == null);
        await(Duration.ofMinutes(2), () -> "its pods, Secrets and Services garbage-collected",
                () -> client.pods().inNamespace(NS).list().getItems().isEmpty()
                        && client.services().inNamespace(NS).list().getItems().isEmpty()
                        && client.secrets().inNamespace(NS).withLabel("mpdcluster_name", "pg").list().getItems().isEmpty());
    }

    static java.sql.Connection connect(InstanceStatus instance, String password) throws SQLException {
        var props = new Properties();
        props.setProperty("user", "aurora");
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + instance.getNetInfo().getWorkingHostIP() + ":"
                + instance.getNetInfo().getWorkingPort() + "/postgres", props);
    }

    static String describe(MPDCluster c) {
        return c == null ? "gone" : Serialization.asYaml(c.getStatus()) + c.getMetadata().getAnnotations();
    }

    static int freePort() throws java.io.IOException {
        try (var socket = new ServerSocket(0)) {
            return 20000 + socket.getLocalPort() % 9000;
        }
    }

}
