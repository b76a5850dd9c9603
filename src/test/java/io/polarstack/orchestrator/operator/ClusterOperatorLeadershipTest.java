package io.polarstack.orchestrator.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anySet;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The operator's side of the election: it watches exactly while it leads, tells its listeners when it stops, and the
 * leadership health component follows (leader, follower, not electing as DOWN, disabled).
 */
class ClusterOperatorLeadershipTest {

    final ClusterResources resources = mock(ClusterResources.class);
    final ClusterResources.ClusterWatch watch = mock(ClusterResources.ClusterWatch.class);
    final AutoCloseable campaign = mock(AutoCloseable.class);

    ClusterOperator operator(boolean enabled) {
        var properties = new OrchestratorProperties(
                java.util.Map.of(),
                null,
                null,
                null,
                new OrchestratorProperties.Operator(
                        enabled, null, List.of("ns"), "ns", "replica-a", null, Duration.ofMinutes(1), false, 0));
        when(resources.watchClusters(anySet(), any(), any())).thenReturn(watch);
        when(resources.lead(eq("ns"), any(), eq("replica-a"), any(), any(), any()))
                .thenReturn(campaign);
        return new ClusterOperator(resources, new ClusterStatusWriter(resources), mock(ClusterFlows.class), properties);
    }

    @Test
    @SuppressWarnings("unchecked")
    void itWatchesWhileItLeadsAndTheHealthComponentFollows() throws Exception {
        var operator = operator(true);
        var health = new LeadershipHealthIndicator(operator);
        AtomicInteger lost = new AtomicInteger();
        operator.onLeadershipLost(lost::incrementAndGet);
        assertThat(health.health().getStatus().getCode()).isEqualTo("DOWN");
        assertThat(health.health().getDetails()).containsEntry("state", "not electing");

        operator.start();
        var started = ArgumentCaptor.forClass(Runnable.class);
        var stopped = ArgumentCaptor.forClass(Runnable.class);
        var holder = ArgumentCaptor.forClass(Consumer.class);
        verify(resources)
                .lead(eq("ns"), any(), eq("replica-a"), started.capture(), stopped.capture(), holder.capture());
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(health.health().getDetails()).containsEntry("state", "follower");

        holder.getValue().accept("replica-b");
        assertThat(health.health().getDetails()).containsEntry("holder", "replica-b");

        holder.getValue().accept("replica-a");
        started.getValue().run();
        assertThat(operator.leading()).isTrue();
        verify(resources).watchClusters(anySet(), any(), any());
        assertThat(health.health().getDetails())
                .containsEntry("state", "leader")
                .containsEntry("identity", "replica-a")
                .containsEntry("holder", "replica-a");

        stopped.getValue().run();
        assertThat(operator.leading()).isFalse();
        verify(watch).close();
        assertThat(lost).hasValue(1);
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(health.health().getDetails())
                .containsEntry("state", "follower")
                .doesNotContainKey("holder");

        started.getValue().run(); // won again: watches again
        verify(resources, times(2)).watchClusters(anySet(), any(), any());
        assertThat(operator.leading()).isTrue();

        operator.stop();
        verify(campaign).close();
        assertThat(lost).hasValue(2);
        assertThat(health.health().getStatus().getCode()).isEqualTo("DOWN");
    }

    @Test
    void aDisabledOperatorDoesNotElectAndIsNotUnhealthyForIt() {
        var health = new LeadershipHealthIndicator(operator(false));
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(health.health().getDetails()).containsEntry("state", "disabled");
    }
}
