package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.adapters.k8s.TestClusterResources;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The three simulated storage hosts of scripts/test-env as Kubernetes nodes a, b and c (127.0.0.2, .3, .4) of the
 * test API server, with their SSH address annotations, the SSH key Secret and known_hosts ConfigMap in a namespace of
 * the run's own, and the real sshj {@link StorageFabric} on them. Node names and the namespace carry a random run id,
 * so runs never share them; the LUNs made through {@link #san} are removed at the end.
 */
public final class SanHosts implements BeforeAllCallback, AfterAllCallback {

    public final String run =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    public final String namespace;
    public final String a;
    public final String b;
    public final String c;
    public final SanSimulator san = new SanSimulator();

    private final String label;
    private final Map<String, String> ips;
    private final Map<String, String> sshAddress = new HashMap<>();
    private KubernetesClient client;
    private StorageFabric fabric;

    /** {@code prefix} names the test: its namespace, node names and node label start with it. */
    public SanHosts(String prefix) {
        namespace = prefix + "-" + run;
        label = prefix;
        a = prefix + "-" + run + "-a";
        b = prefix + "-" + run + "-b";
        c = prefix + "-" + run + "-c";
        ips = Map.of(a, "127.0.0.2", b, "127.0.0.3", c, "127.0.0.4");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        client = TestEnvironment.kubernetes();
        TestEnvironment.createNamespace(client, namespace);
        for (String hostPort : TestEnvironment.get("SAN_HOSTS").split(",")) {
            String ip = hostPort.substring(0, hostPort.indexOf(':'));
            ips.forEach((node, nodeIp) -> {
                if (nodeIp.equals(ip)) {
                    sshAddress.put(node, hostPort);
                }
            });
        }
        for (String node : List.of(a, b, c)) {
            client.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(node)
                            .withLabels(Map.of(label, run))
                            .withAnnotations(Map.of("storage.polarstack.io/ssh-address", sshAddress.get(node)))
                            .endMetadata()
                            .withNewStatus()
                            .addNewAddress()
                            .withType("InternalIP")
                            .withAddress(ips.get(node))
                            .endAddress()
                            .endStatus()
                            .build())
                    .create();
        }
        String key = Files.readString(Path.of(TestEnvironment.get("SAN_KEY_ED25519")));
        client.secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("ssh")
                        .endMetadata()
                        .withStringData(Map.of("username", TestEnvironment.get("SAN_USER"), "ssh-privatekey", key))
                        .build())
                .create();
        client.configMaps()
                .inNamespace(namespace)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("known-hosts")
                        .endMetadata()
                        .withData(Map.of(
                                "known_hosts", Files.readString(Path.of(TestEnvironment.get("SAN_KNOWN_HOSTS")))))
                        .build())
                .create();
        fabric = TestStorageFabrics.ssh(
                TestClusterResources.of(client),
                new OrchestratorProperties.Storage(
                        namespace,
                        "ssh",
                        "configmap/known-hosts",
                        false,
                        label + "=" + run,
                        null,
                        0,
                        false,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        null,
                        4));

        long before = san.logSize();
        fabric.discover(a);
        assertThat(san.logSince(before))
                .as("the storage hosts' SAN simulator writes no log; it is older than scripts/san-sim:"
                        + " refresh it with: sudo scripts/test-env up")
                .anyMatch(l -> l.contains(" " + ips.get(a) + " multipath -ll"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (fabric != null) {
            TestStorageFabrics.close(fabric);
        }
        san.removeLuns();
        if (client != null) {
            for (String node : List.of(a, b, c)) {
                client.nodes().withName(node).delete();
            }
            // no namespace controller runs here, so the namespace stays Terminating with what is in it: the key goes
            // first
            client.secrets().inNamespace(namespace).withName("ssh").delete();
            client.configMaps().inNamespace(namespace).withName("known-hosts").delete();
            client.namespaces().withName(namespace).delete();
            client.close();
        }
    }

    public StorageFabric fabric() {
        return fabric;
    }

    public String ip(String node) {
        return ips.get(node);
    }

    /** The three nodes as the cluster resources list them, with the label the fabric selects its hosts by. */
    public List<ClusterResources.Node> nodes() {
        return List.of(a, b, c).stream()
                .map(node -> new ClusterResources.Node(node, ips.get(node), Map.of(label, run), Map.of()))
                .toList();
    }

    /** A fresh LUN of {@code bytes}, mapped up on all three hosts; its WWID. */
    public String newLun(long bytes) {
        String wwid = SanSimulator.newWwid();
        san.createLun(wwid, bytes);
        ips.values().forEach(ip -> san.map(wwid, ip, "up"));
        return wwid;
    }

    /** The reservation key of a node, from its IP as the hosts' keys are: 0x plus the four octets in hex. */
    public String key(String node) {
        StringBuilder key = new StringBuilder("0x");
        for (String octet : ips.get(node).split("\\.")) {
            key.append(String.format("%02x", Integer.parseInt(octet)));
        }
        return key.toString();
    }

    /** The simulator's write probe from {@code node}'s host: refused under a reservation that host does not share. */
    public TestStorageFabrics.Ran write(String node, String wwid) {
        return TestStorageFabrics.run(fabric, node, List.of("san-sim-write", "/dev/mapper/" + wwid));
    }

    /** Points {@code node}'s SSH address annotation at a port where nothing listens on its IP. */
    public void unreachable(String node) throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(ips.get(node), 0));
            setSshAddress(node, ips.get(node) + ":" + socket.getLocalPort());
        }
    }

    /** Every node's SSH address as the test environment gave it. */
    public void restoreSshAddresses() {
        sshAddress.forEach(this::setSshAddress);
    }

    private void setSshAddress(String node, String address) {
        client.nodes().withName(node).edit(n -> {
            n.getMetadata().getAnnotations().put("storage.polarstack.io/ssh-address", address);
            return n;
        });
    }
}
