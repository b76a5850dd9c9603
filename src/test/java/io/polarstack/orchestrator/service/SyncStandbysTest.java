package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.api.MPDCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncStandbysTest {

    /** RW 1002 in slot s1002, ROs 1004 and 1006; logic id 1000. */
    static MPDCluster cluster(String durability) {
        var cluster = Samples.with(
                Samples.with(
                        Samples.with(Samples.cluster("mpdcluster-local.yaml", "u1"), "1002", "rw", "n1", 5432),
                        "1004",
                        "ro",
                        "n2",
                        5432),
                "1006",
                "ro",
                "n3",
                5432);
        cluster.getStatus().setLogicId("1000");
        cluster.getSpec().setDataDurability(durability);
        return cluster;
    }

    static final String QUORUM = "ANY 1 (\"replica_1000_1002\", \"replica_1000_1004\", \"replica_1000_1006\","
            + " \"replica_s1002_1002\", \"replica_s1004_1004\", \"replica_s1006_1006\")";

    @Test
    void requiredGivesEveryInstanceTheSameQuorumOverAllMembersByNewAndLegacySlotName() {
        var cluster = cluster(null);
        assertThat(SyncStandbys.value(cluster, true, List.of())).isEqualTo(QUORUM);
        assertThat(SyncStandbys.value(cluster, false, List.of("replica_s1004_1004")))
                .isEqualTo(QUORUM);
        assertThat(SyncStandbys.value(cluster("required"), true, List.of())).isEqualTo(QUORUM);
    }

    @Test
    void preferredWaitsOnlyOnTheRwAndOnlyForTheRosStreamingNow() {
        var cluster = cluster("preferred");
        assertThat(SyncStandbys.value(cluster, true, List.of("replica_s1006_1006", "pg_basebackup")))
                .isEqualTo("ANY 1 (\"replica_s1006_1006\")");
        assertThat(SyncStandbys.value(cluster, true, List.of())).isEmpty();
        assertThat(SyncStandbys.value(cluster, false, List.of("replica_s1006_1006")))
                .isEmpty();
    }

    @Test
    void asyncAndAClusterWithoutRoWaitForNone() {
        assertThat(SyncStandbys.value(cluster("async"), true, List.of("replica_s1004_1004")))
                .isEmpty();
        var single = Samples.with(Samples.cluster("mpdcluster-local.yaml", "u1"), "1002", "rw", "n1", 5432);
        assertThat(SyncStandbys.value(single, true, List.of())).isEmpty();
        assertThat(SyncStandbys.state(single, List.of()).reason()).isEqualTo("NoReplica");
    }

    @Test
    void theConditionSaysWhetherACommitWaitsForAnRo() {
        var streaming = List.of("replica_s1004_1004");
        assertThat(SyncStandbys.state(cluster("required"), streaming))
                .isEqualTo(new SyncStandbys.State(
                        true,
                        "Synchronous",
                        "a commit returns once one of [replica_s1004_1004] flushed it (dataDurability required)"));
        assertThat(SyncStandbys.state(cluster("required"), List.of()).reason()).isEqualTo("WritesWait");
        var preferred = SyncStandbys.state(cluster("preferred"), List.of());
        assertThat(preferred.synchronous()).isFalse();
        assertThat(preferred.reason()).isEqualTo("NoReplicaConnected");
        assertThat(preferred.message()).contains("commits go on unreplicated");
        assertThat(SyncStandbys.state(cluster("async"), streaming).reason()).isEqualTo("Asynchronous");
    }

    @Test
    void anUnknownDurabilityIsRefusedByName() {
        assertThatThrownBy(() -> SyncStandbys.value(cluster("sometimes"), true, List.of()))
                .hasMessage("spec.dataDurability of MPDCluster default/pg-local is 'sometimes'; use required,"
                        + " preferred or async");
    }
}
