package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.ClusterResources.NodeState;
import io.polarstack.orchestrator.ports.ClusterResources.PodState;
import org.junit.jupiter.api.Test;

class FenceProofTest {

    static final String RW = "rw 1002 (pod pg-1002 on node-a)";
    static final PodState POD = new PodState("pg-1002", "node-a", "127.0.0.2", "Running", true, false);

    @Test
    void theOutOfServiceTaintIsProofWithoutAStop() {
        assertThat(FenceProof.outOfService("node-a", new NodeState("node-a", false, true)))
                .contains("node node-a is marked out of service");
        assertThat(FenceProof.outOfService("node-a", new NodeState("node-a", true, false)))
                .isNull();
        assertThat(FenceProof.outOfService("node-a", null)).isNull();
        assertThat(FenceProof.afterFailedStop(RW, "node-a", POD, new NodeState("node-a", false, true), "TIMEOUT")
                        .proven())
                .isTrue();
    }

    @Test
    void aGonePodIsProofOnlyOnAReadyNode() {
        assertThat(FenceProof.afterFailedStop(RW, "node-a", null, new NodeState("node-a", true, false), "TIMEOUT")
                        .proven())
                .isTrue();
        var notReady = FenceProof.afterFailedStop(RW, "node-a", null, new NodeState("node-a", false, false), "TIMEOUT");
        assertThat(notReady.proven()).isFalse();
        assertThat(notReady.account())
                .contains("its pod is gone, but node node-a is NotReady")
                .contains("kubectl taint nodes node-a node.kubernetes.io/out-of-service=nodeshutdown:NoExecute")
                .contains("stop the engine")
                .contains("confirm in Tasklist");
        assertThat(FenceProof.afterFailedStop(RW, "node-a", null, null, "TIMEOUT")
                        .proven())
                .as("no Node object: its state is unknown")
                .isFalse();
    }

    @Test
    void aPodThatStillExistsIsNoProofEvenOnAReadyNode() {
        var outcome =
                FenceProof.afterFailedStop(RW, "node-a", POD, new NodeState("node-a", true, false), "exec timed out");
        assertThat(outcome.proven()).isFalse();
        assertThat(outcome.account())
                .contains("Tried: its manager's stop (exec timed out)")
                .contains("its pod still exists (Running, ready) on node node-a (Ready)");
    }
}
