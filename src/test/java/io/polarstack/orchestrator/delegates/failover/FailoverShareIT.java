package io.polarstack.orchestrator.delegates.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.adapters.k8s.TestClusterResources;
import io.polarstack.orchestrator.adapters.ssh.SanSimulator;
import io.polarstack.orchestrator.adapters.ssh.TestStorageFabrics;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.testing.FaultyClusterResources;
import io.polarstack.orchestrator.testing.FlowHarness;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.math.BigDecimal;
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
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Share-mode Failover against the SAN simulator (scripts/test-env): CreateCluster, then an unplanned Failover, on an
 * in-memory engine with the real sshj StorageFabric on the three simulated storage hosts and a fresh LUN mapped on
 * all of them. PolarDB cannot run here, so the manager is a double; its promote is written to the simulator's own
 * log, so the order of the reservation commands and the promotion is read from that one log.
 * RW 1002 on node a (127.0.0.2), RO 1004 on node b (127.0.0.3); node c (127.0.0.4) sees the LUN too.
 */
@Deployment(resources = {"processes/failover.bpmn", "processes/create-cluster.bpmn", "processes/create-instance.bpmn"})
class FailoverShareIT extends FlowHarness {

    private static final String RUN =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private static final String NS = "failover-share-it-" + RUN;
    private static final String LABEL = "failover-share-it";
    private static final String A = "fsit-" + RUN + "-a";
    private static final String B = "fsit-" + RUN + "-b";
    private static final String C = "fsit-" + RUN + "-c";
    private static final Map<String, String> IPS = Map.of(A, "127.0.0.2", B, "127.0.0.3", C, "127.0.0.4");
    private static final String CLUSTER = "share-" + RUN; // pod names unique to this run, as the log is shared
    private static final String RW = CLUSTER + "-1001-1002";
    private static final String RO = CLUSTER + "-1003-1004";

    private static final Map<String, String> sshAddress = new HashMap<>();
    private static KubernetesClient client;
    private static StorageFabric fabric;
    private static final SanSimulator san = new SanSimulator();

    String wwid;
    long logStart;

    @BeforeAll
    static void storageHosts() throws Exception {
        client = TestEnvironment.kubernetes();
        TestEnvironment.createNamespace(client, NS);
        for (String hostPort : TestEnvironment.get("SAN_HOSTS").split(",")) {
            String ip = hostPort.substring(0, hostPort.indexOf(':'));
            IPS.forEach((node, nodeIp) -> {
                if (nodeIp.equals(ip)) {
                    sshAddress.put(node, hostPort);
                }
            });
        }
        for (String node : List.of(A, B, C)) {
            client.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(node)
                            .withLabels(Map.of(LABEL, RUN))
                            .withAnnotations(Map.of("storage.polarstack.io/ssh-address", sshAddress.get(node)))
                            .endMetadata()
                            .withNewStatus()
                            .addNewAddress()
                            .withType("InternalIP")
                            .withAddress(IPS.get(node))
                            .endAddress()
                            .endStatus()
                            .build())
                    .create();
        }
        String key = Files.readString(Path.of(TestEnvironment.get("SAN_KEY_ED25519")));
        client.secrets()
                .inNamespace(NS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("ssh")
                        .endMetadata()
                        .withStringData(Map.of("username", TestEnvironment.get("SAN_USER"), "ssh-privatekey", key))
                        .build())
                .create();
        client.configMaps()
                .inNamespace(NS)
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
                        NS,
                        "ssh",
                        "configmap/known-hosts",
                        false,
                        LABEL + "=" + RUN,
                        null,
                        0,
                        false,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        null,
                        4));
        storage = fabric;

        long before = san.logSize();
        fabric.discover(A);
        assertThat(san.logSince(before))
                .as("the storage hosts' SAN simulator writes no log; it is older than scripts/san-sim:"
                        + " refresh it with: sudo scripts/test-env up")
                .anyMatch(l -> l.contains(" " + IPS.get(A) + " multipath -ll"));
    }

    @AfterAll
    static void tearDown() {
        if (fabric != null) {
            TestStorageFabrics.close(fabric);
        }
        san.removeLuns();
        if (client != null) {
            for (String node : List.of(A, B, C)) {
                client.nodes().withName(node).delete();
            }
            // no namespace controller runs here, so the namespace stays Terminating with what is in it: the key goes
            // first
            client.secrets().inNamespace(NS).withName("ssh").delete();
            client.configMaps().inNamespace(NS).withName("known-hosts").delete();
            client.namespaces().withName(NS).delete();
            client.close();
        }
    }

    @BeforeEach
    void shareCluster() {
        wwid = SanSimulator.newWwid();
        san.createLun(wwid, 100L << 30);
        IPS.values().forEach(ip -> san.map(wwid, ip, "up"));

        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        resources.cluster.getMetadata().setName(CLUSTER);
        resources.cluster.getSpec().getShareStore().setVolumeId(wwid);
        resources.nodes.clear(); // the pods' nodes are the storage hosts: the RW's on a, the RO's on b
        for (String node : List.of(A, B, C)) {
            resources.nodes.add(new ClusterResources.Node(node, IPS.get(node), Map.of(LABEL, RUN), Map.of()));
        }

        when(manager.promote(any())).thenAnswer(a -> {
            san.logCall(
                    "manager", "promote", a.<ManagerClient.Target>getArgument(0).pod());
            return new ManagerClient.RoleInfo(true, 2, null, null);
        });
        logStart = san.logSize();
    }

    @AfterEach
    void restoreSshAddresses() {
        sshAddress.forEach((node, address) -> setSshAddress(node, address));
    }

    @Test
    void theReservationMovesToTheCandidatesNodeBeforeItIsPromoted() {
        createCluster();

        var failover = start("Failover", Map.of("planned", false, "failedInsId", "1002"));
        finish(failover);
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1004");

        List<String> log = ourLog();
        int preempt = indexOf(
                log,
                IPS.get(B) + " mpathpersist --out --preempt --param-rk=" + key(B) + " --param-sark=" + key(A)
                        + " --prout-type=7 /dev/mapper/" + wwid);
        int readBack = indexOf(
                log.subList(preempt + 1, log.size()),
                IPS.get(B) + " mpathpersist --in --read-keys /dev/mapper/" + wwid);
        int promote = indexOf(log, "manager promote " + RO);
        assertThat(preempt)
                .as("preempt of the old RW's key from the candidate's node, in %s", log)
                .isNotNegative();
        assertThat(readBack).as("read-back after the preempt").isNotNegative();
        assertThat(promote)
                .as("promote of %s after the preempt and its read-back, in %s", RO, log)
                .isGreaterThan(preempt + 1 + readBack);
        assertThat(time(log.get(promote))).isGreaterThanOrEqualTo(time(log.get(preempt)));
        assertThat(log).filteredOn(l -> l.contains(" manager promote ")).hasSize(1);

        var reservation = fabric.readReservation(wwid, C);
        assertThat(reservation.registeredKeys()).containsExactly(key(B));
        assertThat(reservation.type()).isEqualTo(StorageFabric.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        assertThat(reservation.writeLockedTo(key(B))).isTrue();
        var oldRwWrite = write(A);
        assertThat(oldRwWrite.exitStatus()).as("the old RW's node writes").isNotZero();
        assertThat(oldRwWrite.stderr()).contains("Reservation Conflict");
        assertThat(write(B).exitStatus()).as("the new RW's node writes").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unreachable", "paths-down"})
    void aCandidateHostThatCannotTakeTheLockStopsAtFencingAndNothingIsPromoted(String breakage) throws Exception {
        createCluster();
        if (breakage.equals("unreachable")) {
            setSshAddress(B, IPS.get(B) + ":" + unusedPort(IPS.get(B)));
        } else {
            san.map(wwid, IPS.get(B), "down"); // the map is there, the reservation commands fail on it
        }

        var failover = start("Failover", Map.of("planned", false, "failedInsId", "1002"));
        driveTo("Task_FenceOldRw");
        Throwable failure = exhaust("Task_FenceOldRw");

        assertThat(failure)
                .hasMessageContaining(breakage.equals("unreachable") ? "cannot reach " + B : "no available paths")
                .hasMessageContaining(B)
                .hasMessageContaining("Nothing was promoted");
        assertThat(incident().getActivityId()).isEqualTo("Task_FenceOldRw");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");
        verify(manager, never()).promote(any());
        List<String> log = ourLog();
        assertThat(log).noneMatch(l -> l.contains(" manager promote ")).noneMatch(l -> l.contains(" --preempt "));
        assertThat(fabric.readReservation(wwid, C).writeLockedTo(key(A)))
                .as("the lock stays with the old RW's node")
                .isTrue();

        // fixed, the step is retried: the lock moves, then the candidate is promoted
        if (breakage.equals("unreachable")) {
            setSshAddress(B, sshAddress.get(B));
        } else {
            san.map(wwid, IPS.get(B), "up");
        }
        retry("Task_FenceOldRw");
        finish(failover);
        log = ourLog();
        int preempt = indexOf(
                log, IPS.get(B) + " mpathpersist --out --preempt --param-rk=" + key(B) + " --param-sark=" + key(A));
        assertThat(preempt).isNotNegative();
        assertThat(indexOf(log, "manager promote " + RO)).isGreaterThan(preempt);
        assertThat(fabric.readReservation(wwid, C).writeLockedTo(key(B))).isTrue();
    }

    // ---- fixtures

    /** CreateCluster to Running: the RW's node (a) holds the write lock. */
    void createCluster() {
        var create = start("CreateCluster", Map.of());
        finish(create);
        positions.put(RW, -1L); // then the RW dies; the RO answers as a replica
        positions.put(RO, 900L);
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");
        assertThat(resources.pod("default", RW).orElseThrow().nodeName()).isEqualTo(A);
        assertThat(resources.pod("default", RO).orElseThrow().nodeName()).isEqualTo(B);
        assertThat(fabric.readReservation(wwid, C).writeLockedTo(key(A))).isTrue();
        assertThat(write(A).exitStatus()).isZero();
        assertThat(write(B).exitStatus()).isNotZero();
    }

    /** The simulator's log since this test began: calls on this test's LUN, and this cluster's promotions. */
    List<String> ourLog() {
        return san.logSince(logStart).stream()
                .filter(l -> l.contains(wwid) || l.contains(" manager promote " + CLUSTER + "-"))
                .toList();
    }

    /** Index of the first line whose text after the time starts with {@code call}, or -1. */
    static int indexOf(List<String> log, String call) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).substring(log.get(i).indexOf(' ') + 1).startsWith(call)) {
                return i;
            }
        }
        return -1;
    }

    static BigDecimal time(String line) {
        return new BigDecimal(line.substring(0, line.indexOf(' ')));
    }

    /** The reservation key of a node, from its IP as the hosts' keys are: 0x plus the four octets in hex. */
    static String key(String node) {
        StringBuilder key = new StringBuilder("0x");
        for (String octet : IPS.get(node).split("\\.")) {
            key.append(String.format("%02x", Integer.parseInt(octet)));
        }
        return key.toString();
    }

    /** The simulator's write probe from {@code node}'s host: refused under a reservation that host does not share. */
    TestStorageFabrics.Ran write(String node) {
        return TestStorageFabrics.run(fabric, node, List.of("san-sim-write", "/dev/mapper/" + wwid));
    }

    static void setSshAddress(String node, String address) {
        client.nodes().withName(node).edit(n -> {
            n.getMetadata().getAnnotations().put("storage.polarstack.io/ssh-address", address);
            return n;
        });
    }

    static int unusedPort(String ip) throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(ip, 0));
            return socket.getLocalPort();
        }
    }
}
