package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.ports.ClusterResources.Node;
import io.polarstack.orchestrator.specs.Labels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstancePlacementTest {

    static final List<Node> NODES = List.of(
            new Node("n1", "127.0.0.2", Map.of(), Map.of(), true),
            new Node("n2", "127.0.0.3", Map.of(), Map.of(), true),
            new Node("n3", "127.0.0.4", Map.of(), Map.of(), false),
            new Node("n4", "127.0.0.5", Map.of(Labels.MAINTAIN_NODE, "true"), Map.of(), true));

    @Test
    void aNodeTakesANewInstanceOnlyWhenItIsThereReadyNotInMaintenanceAndFreeOfThisCluster() {
        var cluster = Samples.with(Samples.cluster("mpdcluster-local.yaml", "u1"), "1002", "rw", "n1", 5432);
        assertThat(InstancePlacement.unavailable(NODES, cluster, "n2")).isNull();
        assertThat(InstancePlacement.unavailable(NODES, cluster, "n9"))
                .isEqualTo("node n9 does not exist (nodes: [n1, n2, n3, n4])");
        assertThat(InstancePlacement.unavailable(NODES, cluster, "n3"))
                .isEqualTo("node n3 is not Ready or is cordoned");
        assertThat(InstancePlacement.unavailable(NODES, cluster, "n4"))
                .isEqualTo("node n4 carries the label " + Labels.MAINTAIN_NODE);
        assertThat(InstancePlacement.unavailable(NODES, cluster, "n1"))
                .isEqualTo("node n1 already runs rw 1002 of this cluster (one instance per node)");
    }

    @Test
    void aClusterWithoutStatusFitsAnyReadyNode() {
        var cluster = Samples.cluster("mpdcluster-local.yaml", "u1");
        cluster.setStatus(null);
        assertThat(InstancePlacement.unavailable(NODES, cluster, "n1")).isNull();
    }

    @Test
    void shareModeGetsTheSmallestFreePfsHostIdFrom5LocalModeNone() {
        var share = Samples.cluster("mpdcluster-share.yaml", "u1");
        assertThat(InstancePlacement.polarFsHostId(share)).isEqualTo("5");
        Samples.with(share, "1002", "rw", "n1", 5800)
                .getStatus()
                .getDbInstanceStatus()
                .get("1002")
                .setPolarFsHostId("5");
        Samples.with(share, "1004", "ro", "n2", 5800)
                .getStatus()
                .getDbInstanceStatus()
                .get("1004")
                .setPolarFsHostId("7");
        assertThat(InstancePlacement.polarFsHostId(share)).isEqualTo("6");
        for (int id = 6; id <= 25; id++) {
            Samples.with(share, "2" + id, "ro", null, 5800)
                    .getStatus()
                    .getDbInstanceStatus()
                    .get("2" + id)
                    .setPolarFsHostId(Integer.toString(id));
        }
        assertThatThrownBy(() -> InstancePlacement.polarFsHostId(share))
                .hasMessageContaining("no free PFS host id in 5..25");
        assertThat(InstancePlacement.polarFsHostId(Samples.cluster("mpdcluster-local.yaml", "u1")))
                .isNull();
    }
}
