package io.polarstack.orchestrator.delegates.failover;

import static io.polarstack.orchestrator.adapters.ssh.SanSimulator.indexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.adapters.ssh.SanHosts;
import io.polarstack.orchestrator.adapters.ssh.SanSimulator;
import io.polarstack.orchestrator.adapters.ssh.TestStorageFabrics;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.testing.FaultyClusterResources;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    @RegisterExtension
    static final SanHosts hosts = new SanHosts("failover-share-it");

    private static final String CLUSTER = "share-" + hosts.run; // pod names unique to this run, as the log is shared
    private static final String RW = CLUSTER + "-1001-1002";
    private static final String RO = CLUSTER + "-1003-1004";
    private static final String A = hosts.a;
    private static final String B = hosts.b;
    private static final String C = hosts.c;

    private static StorageFabric fabric;
    private static final SanSimulator san = hosts.san;

    String wwid;
    long logStart;

    @BeforeAll
    static void storageHosts() {
        fabric = hosts.fabric();
        storage = fabric;
    }

    @BeforeEach
    void shareCluster() {
        wwid = hosts.newLun(100L << 30);

        resources = new FaultyClusterResources("mpdcluster-share.yaml");
        resources.cluster.getMetadata().setName(CLUSTER);
        resources.cluster.getSpec().getShareStore().setVolumeId(wwid);
        resources.nodes.clear(); // the pods' nodes are the storage hosts: the RW's on a, the RO's on b
        resources.nodes.addAll(hosts.nodes());

        when(manager.promote(any())).thenAnswer(a -> {
            san.logCall(
                    "manager", "promote", a.<ManagerClient.Target>getArgument(0).pod());
            return new ManagerClient.RoleInfo(true, 2, null, null);
        });
        logStart = san.logSize();
    }

    @AfterEach
    void restoreSshAddresses() {
        hosts.restoreSshAddresses();
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
                hosts.ip(B) + " mpathpersist --out --preempt --param-rk=" + key(B) + " --param-sark=" + key(A)
                        + " --prout-type=7 /dev/mapper/" + wwid);
        int readBack = indexOf(
                log.subList(preempt + 1, log.size()),
                hosts.ip(B) + " mpathpersist --in --read-keys /dev/mapper/" + wwid);
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
            hosts.unreachable(B);
        } else {
            san.map(wwid, hosts.ip(B), "down"); // the map is there, the reservation commands fail on it
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
            hosts.restoreSshAddresses();
        } else {
            san.map(wwid, hosts.ip(B), "up");
        }
        retry("Task_FenceOldRw");
        finish(failover);
        log = ourLog();
        int preempt = indexOf(
                log, hosts.ip(B) + " mpathpersist --out --preempt --param-rk=" + key(B) + " --param-sark=" + key(A));
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

    static BigDecimal time(String line) {
        return new BigDecimal(line.substring(0, line.indexOf(' ')));
    }

    static String key(String node) {
        return hosts.key(node);
    }

    TestStorageFabrics.Ran write(String node) {
        return hosts.write(node, wwid);
    }
}
