package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LocalClusterExtension.Cluster;
import io.polarstack.orchestrator.testing.LocalClusterSetup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local cluster does what the E2E tier relies on: a two-container hostNetwork pod runs on each of the three
 * nodes, exec and logs through the apiserver reach a container, each node has its own host directories, deleting
 * the pod stops it, and the controller-manager's garbage collector removes owned objects.
 */
@LocalCluster
class LocalClusterSmokeE2E {

    private static final String LOGS = "/tmp/polarstack-local-cluster/logs";
    private static String namespace;

    @BeforeAll
    static void namespace(KubernetesClient client) {
        namespace = LocalClusterSetup.namespace(client, "smoke-" + System.nanoTime());
    }

    @AfterAll
    static void dropNamespace(KubernetesClient client) {
        if (namespace != null) {
            client.namespaces().withName(namespace).delete();
        }
    }

    @Test
    void twoContainerHostNetworkPodRunsOnEachNodeExecsAndStopsOnDelete(KubernetesClient client, Cluster cluster)
            throws Exception {
        int port = freePort();
        List<String> nodes = cluster.nodes();
        assertThat(nodes).containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4");
        assertThat(client.nodes().list().getItems())
                .extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(nodes);

        List<String> pods = new ArrayList<>();
        for (String node : nodes) {
            Pod pod = client.pods()
                    .inNamespace(namespace)
                    .resource(smokePod(cluster, node, port))
                    .create();
            pods.add(pod.getMetadata().getName());
        }
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            String name = pods.get(i);
            await(
                    Duration.ofSeconds(120),
                    () -> "pod " + name + " Ready on node " + node + " (status: "
                            + LocalClusterSetup.podStatus(client, namespace, name) + "); see " + kubeletLog(node)
                            + " and " + LOGS + "/scheduler.log",
                    () -> {
                        Pod current = client.pods()
                                .inNamespace(namespace)
                                .withName(name)
                                .get();
                        return current != null && Readiness.isPodReady(current);
                    });
            Pod pod = client.pods().inNamespace(namespace).withName(name).get();
            assertThat(pod.getSpec().getNodeName()).isEqualTo(node);
            // hostNetwork: the pod's address is its node's loopback address, and its server listens there.
            assertThat(pod.getStatus().getPodIP()).isEqualTo(node);
            assertThat(httpGet(node, port)).isEqualTo(node + "\n");

            assertThat(exec(client, name, "debian", "sh", "-c", "cat /etc/debian_version; echo \"$NODE_NAME\""))
                    .matches("12\\.\\d+\n" + node.replace(".", "\\.") + "\n");
            assertThat(exec(client, name, "web", "cat", "/www/index.html")).isEqualTo(node + "\n");
            // All three pods write into the same host path, yet each sees only its own node's file.
            assertThat(exec(client, name, "debian", "ls", "/data")).isEqualTo(node + "\n");
            assertThat(execExitCode(client, name, "debian", "sh", "-c", "exit 7"))
                    .isEqualTo(7);
            // Logs come from the node's own /var/log/pods, through the apiserver and that node's kubelet.
            assertThat(client.pods()
                            .inNamespace(namespace)
                            .withName(name)
                            .inContainer("web")
                            .getLog())
                    .contains("serving on " + node + ":" + port);
        }

        for (String name : pods) {
            client.pods().inNamespace(namespace).withName(name).delete();
        }
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            String name = pods.get(i);
            await(
                    Duration.ofSeconds(90),
                    () -> "pod " + name + " removed after delete; see " + kubeletLog(node),
                    () -> client.pods().inNamespace(namespace).withName(name).get() == null);
            assertThat(refusesConnections(node, port))
                    .as("web container on %s stopped", node)
                    .isTrue();
        }
    }

    @Test
    void garbageCollectorRemovesOwnedObjects(KubernetesClient client) {
        ConfigMap owner = client.resource(configMap("owner", "owner")).create();
        ConfigMap owned = configMap("owned", "owned");
        owned.getMetadata()
                .setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("v1")
                        .withKind("ConfigMap")
                        .withName("owner")
                        .withUid(owner.getMetadata().getUid())
                        .build()));
        client.resource(owned).create();
        client.resource(configMap("bystander", "none")).create();

        client.configMaps().inNamespace(namespace).withName("owner").delete();

        await(
                Duration.ofSeconds(60),
                () -> "garbage collection of ConfigMap owned by a deleted owner; see " + LOGS + "/kcm.log",
                () -> client.configMaps()
                                .inNamespace(namespace)
                                .withName("owned")
                                .get()
                        == null);
        assertThat(client.configMaps()
                        .inNamespace(namespace)
                        .withName("bystander")
                        .get())
                .isNotNull();
    }

    private static ConfigMap configMap(String name, String role) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .addToData("role", role)
                .build();
    }

    private static Pod smokePod(Cluster cluster, String node, int port) {
        String suffix = node.substring(node.lastIndexOf('.') + 1);
        return new PodBuilder()
                .withNewMetadata()
                .withName("smoke-node" + suffix)
                .withLabels(Map.of("app", "smoke"))
                .endMetadata()
                .withNewSpec()
                .withHostNetwork(true)
                .withTerminationGracePeriodSeconds(2L)
                .withNodeSelector(Map.of("kubernetes.io/hostname", node))
                .addNewContainer()
                .withName("web")
                .withImage(cluster.busyboxImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(
                        "sh",
                        "-c",
                        "mkdir -p /www && echo \"$NODE_NAME\" > /www/index.html" + " && echo \"serving on $POD_IP:"
                                + port + "\" && exec httpd -f -p \"$POD_IP:" + port + "\" -h /www")
                .addToEnv(fieldEnv("POD_IP", "status.podIP"))
                .addToEnv(fieldEnv("NODE_NAME", "spec.nodeName"))
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/index.html")
                .withNewPort(port)
                .endHttpGet()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .endContainer()
                .addNewContainer()
                .withName("debian")
                .withImage(cluster.debianImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo \"$NODE_NAME\" > \"/data/$NODE_NAME\" && exec sleep infinity")
                .addToEnv(fieldEnv("NODE_NAME", "spec.nodeName"))
                .addNewVolumeMount()
                .withName("host")
                .withMountPath("/data")
                .endVolumeMount()
                .withNewReadinessProbe()
                .withNewExec()
                .withCommand("sh", "-c", "test -f \"/data/$NODE_NAME\"")
                .endExec()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .endContainer()
                // The orchestrator's instance-host-root: each node has its own, as a real node has its own disk.
                .addNewVolume()
                .withName("host")
                .withNewHostPath()
                .withPath("/var/lib/polarstack/" + namespace)
                .withType("DirectoryOrCreate")
                .endHostPath()
                .endVolume()
                .endSpec()
                .build();
    }

    private static String exec(KubernetesClient client, String pod, String container, String... command)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(container)
                .writingOutput(out)
                .writingError(err)
                .exec(command)) {
            int code = watch.exitCode().get(30, TimeUnit.SECONDS);
            assertThat(code)
                    .as(
                            "exit code of %s in %s/%s; stderr: %s",
                            String.join(" ", command), pod, container, err.toString(StandardCharsets.UTF_8))
                    .isZero();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int execExitCode(KubernetesClient client, String pod, String container, String... command)
            throws Exception {
        try (ExecWatch watch = client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(container)
                .writingOutput(new ByteArrayOutputStream())
                .exec(command)) {
            return watch.exitCode().get(30, TimeUnit.SECONDS);
        }
    }

    private static String httpGet(String host, int port) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/index.html"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static boolean refusesConnections(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** An environment variable the kubelet fills from the pod's own fields. */
    private static io.fabric8.kubernetes.api.model.EnvVar fieldEnv(String name, String fieldPath) {
        return new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath(fieldPath)
                .endFieldRef()
                .endValueFrom()
                .build();
    }

    /** The log of the kubelet of the node at {@code address} (127.0.0.i logs to kubelet{i}.log). */
    private static String kubeletLog(String address) {
        return LOGS + "/kubelet" + address.substring(address.lastIndexOf('.') + 1) + ".log";
    }
}
