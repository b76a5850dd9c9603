package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.adapters.k8s.PodExecs;
import io.polarstack.orchestrator.adapters.manager.JsonManagerClient;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.Flavour;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.Layout;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import io.polarstack.orchestrator.specs.ClassResources;
import io.polarstack.orchestrator.specs.InstancePlan;
import io.polarstack.orchestrator.specs.InstancePods;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LocalClusterExtension.Cluster;
import io.polarstack.orchestrator.testing.LocalClusterSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The `postgresql` flavour's images (deploy/local/image.yml, built and catalogued by scripts/local-images) run an
 * instance on the local cluster: the pod InstancePods builds reaches Ready on a node, the manager agent installs,
 * starts and health-checks PostgreSQL 15 through the API server's exec, the engine answers JDBC at the node's
 * address and port, and deleting the pod stops it.
 */
@LocalCluster
class LocalClusterPostgresE2E {

    private static final String LOGS = "/tmp/polarstack-local-cluster/logs";
    private static final String CATALOG = "postgresql-1-0-minor-version-info-rwo-local";
    private static String namespace;

    @BeforeAll
    static void imagesAndNamespace(KubernetesClient client) throws Exception {
        LocalClusterSetup.localImages(); // idempotent and cached
        namespace = LocalClusterSetup.namespace(client, "pg-smoke-" + System.nanoTime());
    }

    @AfterAll
    static void dropNamespace(KubernetesClient client) {
        if (namespace != null) {
            client.namespaces().withName(namespace).delete();
        }
    }

    @Test
    void postgresqlInstanceRunsInstallsAnswersAndStopsOnDelete(KubernetesClient client, Cluster cluster)
            throws Exception {
        ConfigMap catalog =
                client.configMaps().inNamespace("kube-system").withName(CATALOG).get();
        assertThat(catalog)
                .as("version catalog %s written by scripts/local-images", CATALOG)
                .isNotNull();
        String engineImage = catalog.getData().get("pgEngineImage");
        String managerImage = catalog.getData().get("pgManagerImage");
        assertThat(engineImage).startsWith(cluster.registry() + "/");
        assertThat(managerImage).startsWith(cluster.registry() + "/");

        MPDCluster mpd = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        mpd.getMetadata().setNamespace(namespace);
        mpd.getMetadata().setUid("00000000-0000-0000-0000-000000000001");
        ConfigMap classResources = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/catalog-class-polar.o.x4.medium.yaml"))
                        .split("\n---\n")[0],
                ConfigMap.class);
        String node = cluster.nodes().get(1);
        int port = freePort(node);
        var plan = new InstancePlan("1001", "2001", "rw", port, node, Set.of(), engineImage, managerImage, null);
        Pod pod = InstancePods.build(
                mpd,
                plan,
                ClassResources.fromConfigMap("polar.o.x4.medium", classResources.getData()),
                "/var/lib/polarstack");
        // No MPDCluster object exists here: the garbage collector would remove a pod owned by a missing owner.
        pod.getMetadata().setOwnerReferences(List.of());
        String name = client.pods()
                .inNamespace(namespace)
                .resource(pod)
                .create()
                .getMetadata()
                .getName();

        await(
                Duration.ofSeconds(180),
                () -> "pod " + name + " Ready on node " + node + " (status: "
                        + LocalClusterSetup.podStatus(client, namespace, name) + "); see " + LOGS + "/kubelet"
                        + node.substring(node.lastIndexOf('.') + 1) + ".log",
                () -> {
                    Pod current =
                            client.pods().inNamespace(namespace).withName(name).get();
                    return current != null && Readiness.isPodReady(current);
                });
        assertThat(client.pods()
                        .inNamespace(namespace)
                        .withName(name)
                        .get()
                        .getSpec()
                        .getNodeName())
                .isEqualTo(node);

        ManagerClient manager = new JsonManagerClient(
                PodExecs.kubernetes(client), List.of("manager-agent"), JsonManagerClient.defaultTimeouts());
        Target target = new Target(namespace, name, Flavour.POSTGRESQL, new Layout(null, null, null, true));
        var installed = manager.install(target, InstallSpec.rw(port).withNetwork(node, List.of("127.0.0.0/8")));
        assertThat(installed.skipped())
                .as("install of a new data directory skipped")
                .isFalse();
        manager.start(target);
        assertThat(manager.health(target).state()).isEqualTo(HealthState.RUNNING);

        String user = "smoke";
        String password =
                HexFormat.of().formatHex(randomBytes()) + HexFormat.of().formatHex(randomBytes());
        manager.createAccount(target, user, password, 1);
        assertThat(selectOne(node, port, user, password)).isEqualTo(1);

        client.pods().inNamespace(namespace).withName(name).delete();
        // Well inside the pod's 60 s grace period: both containers stop on SIGTERM (the engine with a fast shutdown).
        await(
                Duration.ofSeconds(45),
                () -> "pod " + name + " removed within 45 s of its delete (a container that ignores SIGTERM waits"
                        + " out the 60 s grace period); see " + LOGS + "/kubelet"
                        + node.substring(node.lastIndexOf('.') + 1) + ".log",
                () -> client.pods().inNamespace(namespace).withName(name).get() == null);
        await(
                Duration.ofSeconds(30),
                () -> "PostgreSQL at " + node + ":" + port + " refusing connections after the pod's delete",
                () -> {
                    try {
                        selectOne(node, port, user, password);
                        return false;
                    } catch (SQLException e) {
                        return true;
                    }
                });
    }

    private static int selectOne(String host, int port, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", props);
                ResultSet rs = c.createStatement().executeQuery("select 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A port free on the node's address; all nodes share the machine's port space. */
    private static int freePort(String host) throws IOException {
        try (var socket = new java.net.ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress(host, 0));
            return socket.getLocalPort();
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
