package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartPlanTest {

    static MPDCluster cluster(String... ros) {
        var cluster = Samples.with(Samples.cluster("mpdcluster-local.yaml", "u1"), "1002", "rw", "n1", 5432);
        for (String ro : ros) {
            Samples.with(cluster, ro, "ro", "n2", 5432);
        }
        cluster.getMetadata().setAnnotations(new HashMap<>());
        return cluster;
    }

    @Test
    void rosInIdOrderThenTheRwInPlaceByDefault() {
        var order = RestartPlan.cluster(cluster("1006", "1004"), null);
        assertThat(order.roInsIds()).containsExactly("1004", "1006");
        assertThat(order.rwInsId()).isEqualTo("1002");
        assertThat(order.rwSwitchover()).isFalse();
    }

    @Test
    void theAnnotationAsksForASwitchoverAndTheRequestWinsOverIt() {
        var cluster = cluster("1004");
        cluster.getMetadata().getAnnotations().put(Annotations.RESTART_RW_BY, "switchover");
        assertThat(RestartPlan.cluster(cluster, null).rwSwitchover()).isTrue();
        assertThat(RestartPlan.cluster(cluster, false).rwSwitchover()).isFalse();
        cluster.getMetadata().getAnnotations().put(Annotations.RESTART_RW_BY, "inPlace");
        assertThat(RestartPlan.cluster(cluster, true).rwSwitchover()).isTrue();
    }

    @Test
    void withoutAnRoTheRwRestartsInPlaceAndSaysSo() {
        var order = RestartPlan.cluster(cluster(), true);
        assertThat(order.rwSwitchover()).isFalse();
        assertThat(order.roInsIds()).isEqualTo(List.of());
        assertThat(order.note()).contains("no RO to switch over to");
    }

    @Test
    void anUnknownOptionOrInstanceIsRefusedByName() {
        var cluster = cluster("1004");
        cluster.getMetadata().getAnnotations().put(Annotations.RESTART_RW_BY, "sideways");
        assertThatThrownBy(() -> RestartPlan.cluster(cluster, null)).hasMessageContaining("restartRwBy=sideways");
        assertThatThrownBy(() -> RestartPlan.instance(cluster, "1999"))
                .hasMessageContaining("restartIns=1999")
                .hasMessageContaining("[1002, 1004]");
        assertThat(RestartPlan.instance(cluster, "1004").getInsId()).isEqualTo("1004");
    }

    @Test
    void caughtUpMeansReplayedUpToTheMark() {
        assertThat(RestartPlan.behind("1004", 1000, 1000)).isNull();
        assertThat(RestartPlan.behind("1004", 1200, 1000)).isNull();
        assertThat(RestartPlan.behind("1004", 900, 1000)).contains("100 bytes behind");
    }
}
