package io.polarstack.orchestrator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.operator.TriggerTable;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

class ClusterFlowStartsTest {

    final ClusterResources resources = mock(ClusterResources.class);
    final ClusterOperator operator = mock(ClusterOperator.class);
    final ClusterFlows flows = mock(ClusterFlows.class);
    final ClusterFlowStarts starts = new ClusterFlowStarts(resources, operator, flows);
    final Trigger trigger =
            new Trigger(3, ClusterState.RESTART_CLUSTER, FlowKeys.RESTART_CLUSTER, Map.of("rwSwitchover", true), false);

    static MPDCluster cluster(String leader) {
        var cluster = new MPDCluster();
        cluster.setMetadata(
                new ObjectMetaBuilder().withNamespace("db").withName("pg").build());
        var status = new MPDClusterStatus();
        status.setLeaderInstanceId(leader);
        cluster.setStatus(status);
        return cluster;
    }

    @Test
    void aMissingClusterIs404AndNothingStarts() {
        when(resources.cluster("db", "pg")).thenReturn(Optional.empty());

        var response = starts.start("db", "pg", trigger);

        assertThat(response.getStatusCode().value()).isEqualTo(404);
        assertThat(response.getBody().toString()).contains("MPDCluster db/pg does not exist");
        verify(operator, never()).start(any(), any());
    }

    @Test
    void aClusterWithoutRwIs409AndNothingStarts() {
        when(resources.cluster("db", "pg")).thenReturn(Optional.of(cluster(null)));

        var response = starts.start("db", "pg", trigger);

        assertThat(response.getStatusCode().value()).isEqualTo(409);
        assertThat(response.getBody().toString()).contains("has no RW yet");
        verify(operator, never()).start(any(), any());
    }

    @Test
    void aBusyClusterIs409NamingTheRunningFlow() {
        var cluster = cluster("1002");
        when(resources.cluster("db", "pg")).thenReturn(Optional.of(cluster));
        when(operator.start(cluster, trigger)).thenReturn(Optional.empty());
        var running = mock(ProcessInstance.class);
        when(running.getProcessDefinitionId()).thenReturn("Failover:3:abc");
        when(running.getId()).thenReturn("pi-1");
        when(flows.active(FlowKeys.businessKey("db", "pg"))).thenReturn(Optional.of(running));

        var response = starts.start("db", "pg", trigger);

        assertThat(response.getStatusCode().value()).isEqualTo(409);
        assertThat(response.getBody().toString()).contains("busy with Failover (process instance pi-1)");
    }

    @Test
    void aStartedFlowIs202WithItsInstanceFlowAndVariables() {
        var cluster = cluster("1002");
        when(resources.cluster("db", "pg")).thenReturn(Optional.of(cluster));
        var started = mock(ProcessInstance.class);
        when(started.getId()).thenReturn("pi-2");
        when(operator.start(cluster, trigger)).thenReturn(Optional.of(started));

        var response = starts.start("db", "pg", trigger);

        assertThat(response.getStatusCode().value()).isEqualTo(202);
        assertThat(response.getBody())
                .isEqualTo(new ClusterFlowStarts.Started("pi-2", "RestartCluster", Map.of("rwSwitchover", true)));
    }

    @Test
    void extendStorageOverRestStartsWhatTheAnnotationStarts() {
        var cluster = cluster("1002");
        cluster.getStatus().setClusterStatus(ClusterState.RUNNING);
        cluster.getMetadata().setAnnotations(Map.of("extendStorage", "true"));
        cluster.setSpec(new io.polarstack.orchestrator.api.MPDClusterSpec());
        when(resources.cluster("db", "pg")).thenReturn(Optional.of(cluster));
        var started = mock(ProcessInstance.class);
        when(started.getId()).thenReturn("pi-3");
        var annotated = TriggerTable.evaluate(cluster).orElseThrow();
        when(operator.start(cluster, annotated)).thenReturn(Optional.of(started));

        var response = new ExtendStorageController(starts).extend("db", "pg");

        assertThat(response.getStatusCode().value()).isEqualTo(202);
        assertThat(response.getBody()).isEqualTo(new ClusterFlowStarts.Started("pi-3", "ExtendStorage", Map.of()));
    }
}
