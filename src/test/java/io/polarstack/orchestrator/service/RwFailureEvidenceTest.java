package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.ClusterResources.NodeState;
import io.polarstack.orchestrator.ports.ClusterResources.PodState;
import io.polarstack.orchestrator.ports.ManagerClient.Health;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.service.RwFailureEvidence.Evidence;
import io.polarstack.orchestrator.service.RwFailureEvidence.Verdict;
import org.junit.jupiter.api.Test;

class RwFailureEvidenceTest {

    static final String RW = "rw 1002 (pod pg-1002 on node-a)";
    static final PodState POD = new PodState("pg-1002", "node-a", "127.0.0.2", "Running", false, false);
    static final NodeState READY = new NodeState("node-a", true, false);
    static final NodeState NOT_READY = new NodeState("node-a", false, false);

    static Evidence managerSays(HealthState state) {
        return new Evidence(
                RW, false, "connection refused", new Health(state, false, "pg_ctl status"), null, POD, "node-a", READY);
    }

    @Test
    void anEngineThatAnswersOverSqlIsLeftAloneWhateverElseSays() {
        var finding = RwFailureEvidence.judge(
                new Evidence(RW, true, "as the primary", null, "not asked", POD, "node-a", NOT_READY));
        assertThat(finding.verdict()).isEqualTo(Verdict.ANSWERS);
        assertThat(finding.account()).startsWith("ANSWERS for " + RW).contains("node node-a: NotReady");
    }

    @Test
    void theManagersRunningIsAnAnswerToo() {
        assertThat(RwFailureEvidence.judge(managerSays(HealthState.RUNNING)).verdict())
                .isEqualTo(Verdict.ANSWERS);
    }

    @Test
    void stoppedOrStillStartingIsDown() {
        var stopped = RwFailureEvidence.judge(managerSays(HealthState.STOPPED));
        assertThat(stopped.verdict()).isEqualTo(Verdict.DOWN);
        assertThat(stopped.account())
                .contains("the manager confirms the engine is not running")
                .contains("Engine over SQL: no answer (connection refused)")
                .contains("manager: stopped (pg_ctl status)");
        assertThat(RwFailureEvidence.judge(managerSays(HealthState.STARTING)).verdict())
                .isEqualTo(Verdict.DOWN);
    }

    @Test
    void noPathToTheEngineIsUnreachable() {
        var execFailed = RwFailureEvidence.judge(
                new Evidence(RW, false, "timeout", null, "exec failed: TIMEOUT", POD, "node-a", NOT_READY));
        assertThat(execFailed.verdict()).isEqualTo(Verdict.UNREACHABLE);
        assertThat(execFailed.account())
                .contains("manager: no answer (exec failed: TIMEOUT)")
                .contains("pod: Running, not ready")
                .contains("node node-a: NotReady");
        var podGone = RwFailureEvidence.judge(
                new Evidence(RW, false, "timeout", null, "not asked: no pod to exec into", null, "node-a", null));
        assertThat(podGone.verdict()).isEqualTo(Verdict.UNREACHABLE);
        assertThat(podGone.account()).contains("pod: gone", "node node-a: no such Node");
    }
}
