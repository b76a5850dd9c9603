package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.adapters.k8s.TestClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.testing.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The storage adapter on the local cluster exactly as the orchestrator configures it by default: the hosts are
 * the cluster's Nodes, each reached at its storage.polarstack.io/ssh-address annotation with the key and
 * known_hosts from polarstack-system (all set by scripts/local-cluster up). Only the LUN is simulated.
 */
@LocalCluster
class LocalClusterStorageE2E {

    static final SanSimulator san = new SanSimulator();

    @AfterAll
    static void removeLuns() {
        san.removeLuns();
    }

    @Test
    void eachNodeIsAStorageHostAndTheRwNodeTakesTheWriteLock(KubernetesClient client) {
        try (var fabric = new SshStorageFabric(
                TestClusterResources.of(client),
                new OrchestratorProperties.Storage(
                        null, null, null, false, null, null, 0, false, null, null, null, 0))) {
            assertThat(fabric.hosts())
                    .extracting(StorageFabric.StorageHost::node)
                    .containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4");
            String wwid = SanSimulator.newWwid();
            san.createLun(wwid, 10L << 30);
            for (String node : new String[] {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
                san.map(wwid, node, "up");
            }
            assertThat(fabric.discoverAll())
                    .allSatisfy(h -> assertThat(h.error()).isNull());
            assertThat(fabric.resolve(wwid).devices()).containsOnlyKeys("127.0.0.2", "127.0.0.3", "127.0.0.4");
            var lock = fabric.lockWrite(wwid, "127.0.0.3");
            assertThat(fabric.reservationKey("127.0.0.3")).isEqualTo("0x7f000003");
            // Type 7 (all registrants): the holder reads as key 0; the lock is that only node 3 is registered.
            assertThat(lock.registeredKeys()).containsExactly("0x7f000003");
            assertThat(lock.writeLockedTo("0x7f000003")).as(lock.toString()).isTrue();
            assertThat(fabric.readReservation(wwid, "127.0.0.2").writeLockedTo("0x7f000003"))
                    .isTrue();
        }
    }
}
