package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.api.MPDCluster;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

    static final Supplier<List<MPDCluster>> NOT_ASKED = () -> {
        throw new AssertionError("the clusters are read only in a shared port space");
    };

    @Test
    void perNodeEveryInstanceUsesTheClustersOwnPort() {
        var cluster = Samples.cluster("mpdcluster-local.yaml", "u1");
        assertThat(PortAllocator.forNewInstances(cluster, 3, false, NOT_ASKED)).containsExactly(5432, 5432, 5432);
    }

    @Test
    void aSharedPortSpaceGivesTheLowestPortsNoInstanceOfAnyClusterHolds() {
        var other = Samples.with(Samples.cluster("mpdcluster-share.yaml", "u2"), "2002", "rw", "n1", 5433);
        var cluster = Samples.cluster("mpdcluster-local.yaml", "u1");
        var self = Samples.with(Samples.cluster("mpdcluster-local.yaml", "u1"), "1002", "rw", "n1", 5432);
        assertThat(PortAllocator.forNewInstances(cluster, 3, true, () -> List.of(other, self)))
                .as("a new cluster")
                .containsExactly(5432, 5434, 5435);
        assertThat(PortAllocator.forNewInstances(self, 1, true, () -> List.of(other, self)))
                .as("a replacement runs beside the instance it replaces")
                .containsExactly(5434);
    }
}
