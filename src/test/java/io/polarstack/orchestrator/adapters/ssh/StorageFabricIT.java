package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.adapters.k8s.TestClusterResources;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.LunNotResolvedException;
import io.polarstack.orchestrator.ports.StorageFabric.HostLuns;
import io.polarstack.orchestrator.ports.StorageFabric.Lun;
import io.polarstack.orchestrator.ports.StorageFabric.LunDiagnosis;
import io.polarstack.orchestrator.ports.StorageFabric.LunState;
import io.polarstack.orchestrator.ports.StorageFabricException;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sshj adapter against three real OpenSSH sshd hosts on loopback (scripts/test-env), each with the SAN simulator
 * on its PATH, and Nodes, Secrets and ConfigMaps in the real kube-apiserver.
 */
class StorageFabricIT {

    private static final long GIB = 1L << 30;
    private static final String RUN =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private static final String NS = "storage-it-" + RUN;
    private static final String LABEL = "storage-it";
    private static final String SELECTOR = LABEL + "=" + RUN + ",!storage-it-down";
    private static final String A = "sit-" + RUN + "-a";
    private static final String B = "sit-" + RUN + "-b";
    private static final String C = "sit-" + RUN + "-c";
    private static final String DOWN = "sit-" + RUN + "-down";
    private static final String IP_A = "127.0.0.2";
    private static final String IP_B = "127.0.0.3";
    private static final String IP_C = "127.0.0.4";

    private static KubernetesClient client;
    private static ClusterResources resources;
    private static SshStorageFabric fabric;
    private static final List<SshStorageFabric> others = new ArrayList<>();
    private static final SanSimulator san = new SanSimulator();

    @BeforeAll
    static void setUp() throws Exception {
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(new File(TestEnvironment.get("KUBECONFIG"))))
                .build();
        resources = TestClusterResources.of(client);
        TestEnvironment.createNamespace(client, NS);

        Map<String, String> sshAddress = new HashMap<>();
        for (String hostPort : TestEnvironment.get("SAN_HOSTS").split(",")) {
            sshAddress.put(hostPort.substring(0, hostPort.indexOf(':')), hostPort);
        }
        node(A, IP_A, sshAddress.get(IP_A), false);
        node(B, IP_B, sshAddress.get(IP_B), false);
        node(C, IP_C, sshAddress.get(IP_C), false);
        node(DOWN, "127.0.0.5", "127.0.0.5:" + unusedPort(), true);

        String rsaPassphrase = TestEnvironment.get("SAN_KEY_RSA_PASSPHRASE");
        secret("ssh", Map.of("username", user(), "ssh-privatekey", key("SAN_KEY_ED25519")));
        secret("ssh-ecdsa", Map.of("username", user(), "ssh-privatekey", key("SAN_KEY_ECDSA")));
        secret(
                "ssh-rsa",
                Map.of("username", user(), "ssh-privatekey", key("SAN_KEY_RSA"), "passphrase", rsaPassphrase));
        secret("ssh-rsa-no-passphrase", Map.of("username", user(), "ssh-privatekey", key("SAN_KEY_RSA")));
        secret("ssh-no-key", Map.of("username", user()));
        secret(
                "ssh-garbage-key",
                Map.of("username", user(), "ssh-privatekey", "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n"));

        String knownHosts = Files.readString(Path.of(TestEnvironment.get("SAN_KNOWN_HOSTS")));
        configMap("known-hosts", knownHosts);
        secret("known-hosts", Map.of("known_hosts", knownHosts));
        // host a presents its own key, but known_hosts lists host b's key for it: a changed or impostor host
        List<String> lines = knownHosts.lines().toList();
        String keyOfB = lines.stream()
                .filter(l -> l.startsWith("[" + IP_B + "]"))
                .findFirst()
                .orElseThrow()
                .split(" ", 2)[1];
        configMap(
                "wrong-known-hosts",
                lines.stream()
                        .map(l -> l.startsWith("[" + IP_A + "]") ? l.split(" ", 2)[0] + " " + keyOfB : l)
                        .reduce("", (x, y) -> x + y + "\n"));

        fabric = fabric("ssh", "configmap/known-hosts", SELECTOR, Duration.ofSeconds(5));
    }

    @AfterAll
    static void tearDown() {
        if (fabric != null) {
            fabric.close();
        }
        others.forEach(SshStorageFabric::close);
        san.removeLuns();
        if (client != null) {
            for (String node : List.of(A, B, C, DOWN)) {
                client.nodes().withName(node).delete();
            }
            client.namespaces().withName(NS).delete();
            client.close();
        }
    }

    @Test
    void discoversWhatEveryHostSees() {
        String wwid = lunOnAllHosts(20 * GIB);

        List<HostLuns> all = fabric.discoverAll();

        assertThat(all).extracting(HostLuns::node).containsExactlyInAnyOrder(A, B, C);
        for (HostLuns host : all) {
            assertThat(host.error()).as(host.node()).isNull();
            Lun lun = host.luns().stream()
                    .filter(l -> l.wwid().equals(wwid))
                    .findFirst()
                    .orElseThrow();
            assertThat(lun.device()).isEqualTo("/dev/mapper/" + wwid);
            assertThat(lun.sizeBytes()).isEqualTo(20 * GIB);
            assertThat(lun.paths()).hasSize(2).allMatch(p -> p.usable());
        }
        assertThat(fabric.discover(B).luns()).extracting(Lun::wwid).contains(wwid);
        assertThat(fabric.hosts())
                .filteredOn(h -> h.node().equals(A))
                .singleElement()
                .satisfies(h -> assertThat(h.reservationKey()).isEqualTo("0x7f000002"));
    }

    @Test
    void resolvesALunUsableOnEveryHost() {
        String wwid = lunOnAllHosts(10 * GIB);

        var resolved = fabric.resolve(wwid);

        assertThat(resolved.devices()).containsOnlyKeys(A, B, C).containsValue("/dev/mapper/" + wwid);
    }

    @Test
    void resolveSaysForEachHostWhyTheLunIsNotUsable() {
        String everywhere = lunOnAllHosts(GIB);
        String wwid = SanSimulator.newWwid();
        san.createLun(wwid, 10 * GIB);
        san.map(wwid, IP_A, "up");
        san.map(wwid, IP_B, "down");
        san.map(wwid, IP_C, "nomap");
        String onlyOnAB = SanSimulator.newWwid();
        san.createLun(onlyOnAB, 10 * GIB);
        san.map(onlyOnAB, IP_A, "up");
        san.map(onlyOnAB, IP_B, "up");

        assertThatThrownBy(() -> fabric.resolve(wwid)).isInstanceOfSatisfying(LunNotResolvedException.class, e -> {
            assertThat(e.diagnoses())
                    .extracting(LunDiagnosis::node, LunDiagnosis::state)
                    .containsExactlyInAnyOrder(
                            tuple(A, LunState.READY),
                            tuple(B, LunState.ALL_PATHS_DOWN),
                            tuple(C, LunState.NO_MULTIPATH_DEVICE));
            assertThat(e.getMessage())
                    .contains(
                            B + ": ALL_PATHS_DOWN",
                            "all its paths are failed",
                            C + ": NO_MULTIPATH_DEVICE",
                            "blacklisted")
                    .doesNotContain(A + ":");
        });
        assertThatThrownBy(() -> fabric.resolve(onlyOnAB)).isInstanceOfSatisfying(LunNotResolvedException.class, e -> {
            LunDiagnosis c = e.diagnoses().stream()
                    .filter(d -> d.node().equals(C))
                    .findFirst()
                    .orElseThrow();
            assertThat(c.state()).isEqualTo(LunState.NOT_ZONED);
            assertThat(c.visibleWwids()).contains(everywhere).doesNotContain(onlyOnAB, wwid);
            assertThat(e.getMessage())
                    .contains(C + ": NOT_ZONED", "not mapped (zoned/masked) to this host", "it sees ");
        });
    }

    @Test
    void rescanFindsALunNewlyMappedToAHost() {
        String wwid = lunOnAllHosts(10 * GIB);
        String added = SanSimulator.newWwid();
        san.createLun(added, 10 * GIB);
        for (String ip : List.of(IP_A, IP_B)) {
            san.map(added, ip, "up");
        }
        san.map(added, IP_C, "pending");
        assertThatThrownBy(() -> fabric.resolve(added)).isInstanceOf(LunNotResolvedException.class);

        HostLuns after = fabric.rescan(C);

        assertThat(after.luns()).extracting(Lun::wwid).contains(added, wwid);
        assertThat(fabric.resolve(added).devices()).containsOnlyKeys(A, B, C);
    }

    @Test
    void writeLockMovesFromAToBAndFencesA() {
        String wwid = lunOnAllHosts(10 * GIB);
        String keyA = fabric.reservationKey(A);
        String keyB = fabric.reservationKey(B);
        assertThat(keyA).isEqualTo("0x7f000002");

        var lockedToA = fabric.lockWrite(wwid, A);
        assertThat(lockedToA.registeredKeys()).containsExactly(keyA);
        assertThat(lockedToA.type()).isEqualTo(7);
        assertThat(write(A, wwid)).isZero();
        assertThat(write(B, wwid)).isNotZero();
        assertThat(fabric.readReservation(wwid, C).writeLockedTo(keyA)).isTrue();

        var lockedToB = fabric.lockWrite(wwid, B);

        assertThat(lockedToB.registeredKeys()).containsExactly(keyB);
        assertThat(lockedToB.type()).isEqualTo(7);
        SshConnections.Result refused = fabric.run(A, List.of("san-sim-write", "/dev/mapper/" + wwid));
        assertThat(refused.exitStatus()).isNotZero();
        assertThat(refused.stderr()).contains("Reservation Conflict");
        assertThat(write(B, wwid)).isZero();

        // locking again is a no-op: nothing is registered or preempted, so the PR generation stays
        var again = fabric.lockWrite(wwid, B);
        assertThat(again).isEqualTo(lockedToB);
        assertThat(again.generation()).isEqualTo(lockedToB.generation());
    }

    @Test
    void reservationStepsAreEachIdempotent() {
        String wwid = lunOnAllHosts(10 * GIB);
        String keyA = fabric.reservationKey(A);
        String keyC = fabric.reservationKey(C);

        fabric.register(wwid, A);
        var registered = fabric.register(wwid, A);
        assertThat(registered.registeredKeys()).containsExactly(keyA);
        fabric.reserve(wwid, A);
        assertThat(fabric.reserve(wwid, A).type()).isEqualTo(7);
        fabric.register(wwid, C);
        assertThat(fabric.preempt(wwid, A, keyC).registeredKeys()).containsExactly(keyA);
        assertThat(fabric.preempt(wwid, A, keyC).registeredKeys()).containsExactly(keyA);
        assertThat(fabric.release(wwid, A).type()).isNull();
        assertThat(fabric.release(wwid, A).registeredKeys()).containsExactly(keyA);
        var cleared = fabric.clear(wwid, B);
        assertThat(cleared.registeredKeys()).isEmpty();
        assertThat(cleared.type()).isNull();
        assertThat(fabric.clear(wwid, B)).isEqualTo(cleared);
    }

    @Test
    void resizesEveryHostsMapAndGrowsPfsFromTheLockHolder() {
        String wwid = lunOnAllHosts(10 * GIB);
        san.formatPfs(wwid, 1);
        fabric.lockWrite(wwid, A);
        san.grow(wwid, 10 * GIB, 30 * GIB, IP_A, IP_B, IP_C);
        assertThat(fabric.discover(A).luns())
                .filteredOn(l -> l.wwid().equals(wwid))
                .extracting(Lun::sizeBytes)
                .containsExactly(10 * GIB);

        var resized = fabric.resize(wwid);

        assertThat(resized).allSatisfy(r -> {
            assertThat(r.error()).as(r.node()).isNull();
            assertThat(r.value().sizeBytes()).isEqualTo(30 * GIB);
        });
        assertThat(fabric.pfsInfo(wwid, A).chunks()).isEqualTo(1);
        assertThat(fabric.growPfs(wwid, A, 3).chunks()).isEqualTo(3);
        assertThat(fabric.growPfs(wwid, A, 3).chunks()).isEqualTo(3);
        assertThatThrownBy(() -> fabric.growPfs(wwid, B, 4))
                .isInstanceOf(StorageFabricException.class)
                .hasMessageContaining("Reservation Conflict");
    }

    @Test
    void logsInWithEcdsaAndPassphraseProtectedRsaKeys() {
        String wwid = lunOnAllHosts(10 * GIB);
        for (String secret : List.of("ssh-ecdsa", "ssh-rsa")) {
            var other = fabric(secret, "secret/known-hosts", SELECTOR, Duration.ofSeconds(5));
            assertThat(other.discover(C).luns())
                    .as(secret)
                    .extracting(Lun::wwid)
                    .contains(wwid);
        }
    }

    @Test
    void anUnusableKeyIsAClearError() {
        assertThatThrownBy(() -> fabric("absent", "configmap/known-hosts", SELECTOR, Duration.ofSeconds(5))
                        .discover(A))
                .isInstanceOf(StorageFabricException.class)
                .hasMessageContaining("Secret " + NS + "/absent")
                .hasMessageContaining("not found")
                .hasMessageContaining("ssh-privatekey")
                .hasMessageContaining("ed25519, ECDSA or RSA");
        assertThatThrownBy(() -> fabric("ssh-no-key", "configmap/known-hosts", SELECTOR, Duration.ofSeconds(5))
                        .discover(A))
                .hasMessageContaining("Secret " + NS + "/ssh-no-key has no key ssh-privatekey");
        assertThatThrownBy(() -> fabric("ssh-garbage-key", "configmap/known-hosts", SELECTOR, Duration.ofSeconds(5))
                        .discover(A))
                .hasMessageContaining(
                        "Secret " + NS + "/ssh-garbage-key key ssh-privatekey cannot be used as a private key");
        assertThatThrownBy(
                        () -> fabric("ssh-rsa-no-passphrase", "configmap/known-hosts", SELECTOR, Duration.ofSeconds(5))
                                .discover(A))
                .hasMessageContaining("if it is encrypted, add key passphrase")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("PRIVATE KEY"));
    }

    @Test
    void aHostWithAnUnexpectedKeyIsRefused() {
        var strict = fabric("ssh", "configmap/wrong-known-hosts", SELECTOR, Duration.ofSeconds(5));

        assertThatThrownBy(() -> strict.discover(A))
                .isInstanceOf(StorageFabricException.class)
                .hasMessageContaining("host key of " + A)
                .hasMessageContaining("not trusted")
                .hasMessageContaining("configmap/wrong-known-hosts");
        assertThat(strict.discover(B).error()).isNull();
        assertThatThrownBy(() -> fabric("ssh", "configmap/absent", SELECTOR, Duration.ofSeconds(5))
                        .discover(A))
                .hasMessageContaining("ConfigMap " + NS + "/absent")
                .hasMessageContaining("accept-any-host-key");
    }

    @Test
    void theLabOptOutSkipsHostKeyChecking() {
        var lab = track(new SshStorageFabric(
                resources,
                new OrchestratorProperties.Storage(
                        NS,
                        "ssh",
                        "configmap/absent",
                        true,
                        SELECTOR,
                        null,
                        0,
                        false,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        null,
                        4)));

        assertThat(lab.discover(A).error()).isNull();
    }

    @Test
    void aCommandThatHangsIsStoppedAtItsTimeout() {
        String wwid = lunOnAllHosts(10 * GIB);
        san.stallReservationCommands(wwid, 12);
        var quick = fabric("ssh", "configmap/known-hosts", SELECTOR, Duration.ofSeconds(1));
        quick.discover(A);

        long start = System.nanoTime();
        assertThatThrownBy(() -> quick.readReservation(wwid, A))
                .isInstanceOf(StorageFabricException.class)
                .hasMessageContaining("did not finish within 1 s")
                .hasMessageContaining(A);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("given up before the stalled command ends")
                .isLessThan(Duration.ofSeconds(11));

        // the pooled connection still serves the next command
        assertThat(quick.discover(A).luns()).extracting(Lun::wwid).contains(wwid);
    }

    @Test
    void aHostThatIsDownHasItsOwnErrorInAFanOut() {
        String wwid = lunOnAllHosts(10 * GIB);
        var withDownHost = fabric("ssh", "configmap/known-hosts", LABEL + "=" + RUN, Duration.ofSeconds(5));

        List<HostLuns> all = withDownHost.discoverAll();

        assertThat(all).extracting(HostLuns::node).containsExactlyInAnyOrder(A, B, C, DOWN);
        assertThat(all).filteredOn(h -> !h.node().equals(DOWN)).allSatisfy(h -> {
            assertThat(h.error()).isNull();
            assertThat(h.luns()).extracting(Lun::wwid).contains(wwid);
        });
        assertThat(all)
                .filteredOn(h -> h.node().equals(DOWN))
                .singleElement()
                .satisfies(h -> assertThat(h.error()).contains("cannot reach " + DOWN, "check that sshd runs there"));
        assertThatThrownBy(() -> withDownHost.resolve(wwid))
                .isInstanceOfSatisfying(
                        LunNotResolvedException.class,
                        e -> assertThat(e.getMessage()).contains(DOWN + ": HOST_UNREACHABLE"));
    }

    @Test
    void hostileValuesNeverReachAShell() throws Exception {
        Path marker = san.scratchFile("injected-" + RUN);
        Files.deleteIfExists(marker);
        List<String> hostile = List.of(
                "$(touch " + marker + ")",
                "`touch " + marker + "`",
                "'; touch " + marker + " #",
                "x\ntouch " + marker,
                "| touch " + marker);
        for (String value : hostile) {
            assertThatThrownBy(() -> fabric.resolve(value)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> fabric.lockWrite(value, A)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> fabric.preempt(lunOnAllHosts(GIB), A, value))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // and were one to get through, the quoting hands it to the command as one plain argument
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\n"));
        argv.addAll(hostile);
        SshConnections.Result echoed = fabric.run(A, argv);
        assertThat(echoed.stdout()).isEqualTo(String.join("\n", hostile) + "\n");
        assertThat(Files.exists(marker)).isFalse();
        // the marker's place is writable from the host: had anything run, the file would be there
        assertThat(fabric.run(A, List.of("touch", marker.toString())).exitStatus())
                .isZero();
        assertThat(Files.exists(marker)).isTrue();
        Files.delete(marker);
    }

    // ---- fixtures

    private static String lunOnAllHosts(long size) {
        String wwid = SanSimulator.newWwid();
        san.createLun(wwid, size);
        for (String ip : List.of(IP_A, IP_B, IP_C)) {
            san.map(wwid, ip, "up");
        }
        return wwid;
    }

    private static int write(String node, String wwid) {
        return fabric.run(node, List.of("san-sim-write", "/dev/mapper/" + wwid)).exitStatus();
    }

    private static SshStorageFabric fabric(String secret, String knownHosts, String selector, Duration commandTimeout) {
        return track(new SshStorageFabric(
                resources,
                new OrchestratorProperties.Storage(
                        NS,
                        secret,
                        knownHosts,
                        false,
                        selector,
                        null,
                        0,
                        false,
                        commandTimeout,
                        Duration.ofSeconds(5),
                        null,
                        4)));
    }

    private static SshStorageFabric track(SshStorageFabric fabric) {
        others.add(fabric);
        return fabric;
    }

    private static void node(String name, String ip, String sshAddress, boolean down) {
        var labels = down ? Map.of(LABEL, RUN, "storage-it-down", "true") : Map.of(LABEL, RUN);
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .withAnnotations(Map.of("storage.polarstack.io/ssh-address", sshAddress))
                        .endMetadata()
                        .withNewStatus()
                        .addNewAddress()
                        .withType("InternalIP")
                        .withAddress(ip)
                        .endAddress()
                        .endStatus()
                        .build())
                .create();
    }

    private static void secret(String name, Map<String, String> data) {
        client.secrets()
                .inNamespace(NS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withStringData(data)
                        .build())
                .create();
    }

    private static void configMap(String name, String knownHosts) {
        client.configMaps()
                .inNamespace(NS)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withData(Map.of("known_hosts", knownHosts))
                        .build())
                .create();
    }

    private static String user() {
        return TestEnvironment.get("SAN_USER");
    }

    private static String key(String envKey) throws Exception {
        return Files.readString(Path.of(TestEnvironment.get(envKey)));
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.5", 0));
            return socket.getLocalPort();
        }
    }
}
