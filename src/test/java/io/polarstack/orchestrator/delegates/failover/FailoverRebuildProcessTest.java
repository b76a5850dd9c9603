package io.polarstack.orchestrator.delegates.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;

/** Failover whose old RW cannot rejoin: RebuildInstance replaces it in its slot, and the flow ends as usual. */
@Deployment(
        resources = {
            "processes/failover.bpmn",
            "processes/rebuild-instance.bpmn",
            "processes/replace-instance.bpmn",
            "processes/remove-instance.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn"
        })
class FailoverRebuildProcessTest extends FlowHarness {

    @Test
    void anOldRwThatCannotRewindIsRebuiltInItsSlot() {
        runningCluster();
        when(manager.rejoin(pod(RW), any(), anyString(), anyString()))
                .thenThrow(new ManagerException("REWIND_FAILED", "pg_rewind: could not find common ancestor", null));
        positions.put(RW, -1L); // the RW died
        positions.put(RO1, 900L);
        when(manager.promote(pod(RO2)))
                .thenAnswer(
                        a -> { // 1006 replayed most; once promoted it answers as the primary
                            primaries.add(RO2);
                            return new io.polarstack.orchestrator.ports.ManagerClient.RoleInfo(true, 2, null, null);
                        });
        var failover = start("Failover", Map.of("planned", false));
        finish(failover);

        verify(manager).promote(pod(RO2));
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1006");
        assertThat(entries())
                .as("the old RW's entry replaced by a new instance in slot 1001")
                .doesNotContainKey("1002")
                .hasSize(3)
                .anySatisfy((id, e) -> {
                    assertThat(e.getPhysicalInsId()).isEqualTo("1001");
                    assertThat(e.getInsType()).isEqualTo("ro");
                });
        assertThat(podExists(RW)).isFalse();
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Warning RejoinFailed: the old RW rw 1002")
                        || e.startsWith("Warning RejoinFailed: the old RW ro 1002"));
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }
}
