package io.polarstack.orchestrator.delegates.extendstorage;

import static io.polarstack.orchestrator.adapters.ssh.SanSimulator.indexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.adapters.ssh.SanHosts;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.testing.FaultyClusterResources;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Share-mode ExtendStorage against the SAN simulator (scripts/test-env): CreateCluster on a fresh 100 GiB LUN with a
 * 10-chunk PFS, mapped on the three simulated storage hosts, then the quota raised to 120 GiB, on an in-memory engine
 * with the real sshj StorageFabric. PolarDB cannot run here, so the manager is a double; its grow-storage is written
 * to the simulator's own log, so one log orders the hosts' commands and the engines' expansion.
 * RW 1002 on node a (127.0.0.2), RO 1004 on node b (127.0.0.3); node c (127.0.0.4) sees the LUN too.
 */
@Deployment(
        resources = {"processes/extend-storage.bpmn", "processes/create-cluster.bpmn", "processes/create-instance.bpmn"
        })
class ExtendStorageShareIT extends FlowHarness {

    static final long GIB = 1L << 30;

    @RegisterExtension
    static final SanHosts hosts = new SanHosts("extend-share-it");

    private static final String CLUSTER = "share-" + hosts.run; // pod names unique to this run, as the log is shared

    String wwid;
    long logStart;

    @BeforeAll
    static void storageHosts() {
        storage = hosts.fabric();
    }

    @BeforeEach
    void shareCluster() {
        wwid = hosts.newLun(100 * GIB);
        hosts.san.formatPfs(wwid, 10);
        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        resources.cluster.getMetadata().setName(CLUSTER);
        resources.cluster.getSpec().getShareStore().setVolumeId(wwid);
        resources.nodes.clear(); // the pods' nodes are the storage hosts: the RW's on a, the RO's on b
        resources.nodes.addAll(hosts.nodes());
    }

    /** CreateCluster to Running (the deployment is there once a test runs), then the manager's expansion logged. */
    void createCluster() {
        finish(start("CreateCluster", Map.of()));
        assertThat(hosts.fabric().readReservation(wwid, hosts.c).writeLockedTo(hosts.key(hosts.a)))
                .as("the RW's node holds the write lock")
                .isTrue();
        resources.cluster.getStatus().setStorageQuota("102400");
        when(manager.growStorage(any(), anyString())).thenAnswer(a -> {
            hosts.san.logCall(
                    "manager",
                    "grow-storage",
                    a.<ManagerClient.Target>getArgument(0).pod(),
                    wwid);
            return new ManagerClient.StorageInfo(true, null, null);
        });
        logStart = hosts.san.logSize();
    }

    ProcessInstance extendTo120Gib() {
        resources.cluster.getSpec().getShareStore().setDiskQuota("122880");
        annotate("extendStorage", "true");
        return start("ExtendStorage", Map.of());
    }

    @Test
    void everyHostSeesTheGrownLunThenPfsGrowsOnceThenEachEngineRoFirst() {
        createCluster();
        hosts.san.grow(wwid, 100 * GIB, 120 * GIB, hosts.ip(hosts.a), hosts.ip(hosts.b), hosts.ip(hosts.c));
        finish(extendTo120Gib());

        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("122880");
        assertThat(annotations()).doesNotContainKey("extendStorage");
        List<String> log = ourLog();
        int lastResize = -1;
        for (String node : List.of(hosts.a, hosts.b, hosts.c)) {
            int resize = indexOf(log, hosts.ip(node) + " multipathd resize map " + wwid);
            assertThat(resize).as("the map resized on %s, in %s", node, log).isNotNegative();
            lastResize = Math.max(lastResize, resize);
        }
        assertThat(log).filteredOn(l -> l.contains(" growfs ")).hasSize(1);
        int growfs = indexOf(log, hosts.ip(hosts.a) + " pfs -C disk growfs -f -o 10 -n 12 mapper_" + wwid);
        assertThat(growfs)
                .as("PFS grown once from the lock holder's host after every map, in %s", log)
                .isGreaterThan(lastResize);
        int ro = indexOf(log, "manager grow-storage " + CLUSTER + "-1003-1004");
        int rw = indexOf(log, "manager grow-storage " + CLUSTER + "-1001-1002");
        assertThat(ro).as("the RO's engine after PFS").isGreaterThan(growfs);
        assertThat(rw).as("the RW's engine last").isGreaterThan(ro);
        // Read back from the hosts themselves.
        assertThat(hosts.fabric().resize(wwid)).allSatisfy(r -> {
            assertThat(r.error()).as(r.node()).isNull();
            assertThat(r.value().sizeBytes()).as(r.node()).isEqualTo(120 * GIB);
        });
        assertThat(hosts.fabric().pfsInfo(wwid, hosts.a).chunks()).isEqualTo(12);
    }

    @Test
    void aLunTheArrayHasNotGrownStopsBeforePfsAndResumesOnceItHas() {
        createCluster();
        var extend = extendTo120Gib();
        driveTo("Task_ResizeLun");
        assertThat(exhaust("Task_ResizeLun"))
                .hasMessageContaining("LUN " + wwid + " is " + 100 * GIB + " bytes")
                .hasMessageContaining("grow the LUN on the array first");
        assertThat(incident().getActivityId()).isEqualTo("Task_ResizeLun");
        assertThat(hosts.fabric().pfsInfo(wwid, hosts.a).chunks()).isEqualTo(10);
        verify(manager, never()).growStorage(any(), anyString());

        hosts.san.grow(wwid, 100 * GIB, 120 * GIB, hosts.ip(hosts.a), hosts.ip(hosts.b), hosts.ip(hosts.c));
        retry("Task_ResizeLun");
        finish(extend);
        assertThat(resources.cluster.getStatus().getStorageQuota()).isEqualTo("122880");
        assertThat(hosts.fabric().pfsInfo(wwid, hosts.a).chunks()).isEqualTo(12);
    }

    /** The simulator's log since this test's cluster ran: calls on its LUN, and its engines' expansions. */
    List<String> ourLog() {
        return hosts.san.logSince(logStart).stream()
                .filter(l -> l.contains(wwid))
                .toList();
    }
}
