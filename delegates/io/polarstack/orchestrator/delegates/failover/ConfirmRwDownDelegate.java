package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ClusterResources.NodeState;
import io.polarstack.orchestrator.ports.ClusterResources.PodState;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.RwFailureEvidence;
import io.polarstack.orchestrator.service.RwFailureEvidence.Verdict;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_ConfirmRwDown (unplanned only): a failing probe starts a decision, not a promotion. Asks the engine again over
 * SQL, its manager agent and the API server (pod, node); {@link RwFailureEvidence} gives the verdict ({@code rwVerdict})
 * and its account ({@code rwEvidence}), which is also an event {@code FailoverDecision}. An RW that answers ends the
 * flow with nothing changed. Reads only, so safe to repeat.
 */
@Component
public class ConfirmRwDownDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmRwDownDelegate.class);
    static final String VERDICT = "rwVerdict";
    static final String EVIDENCE = "rwEvidence";

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final WalPositions positions;

    public ConfirmRwDownDelegate(ClusterResources resources, ManagerClient manager, WalPositions positions) {
        this.resources = resources;
        this.manager = manager;
        this.positions = positions;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        if (execution.getVariable(FailoverSteps.OLD_RW) == null) {
            execution.setVariable(FailoverSteps.OLD_RW, ClusterSteps.rw(cluster).getInsId());
        }
        var rw = FailoverSteps.oldRw(cluster, execution);
        PodState pod = resources
                .pod(cluster.getMetadata().getNamespace(), rw.getPodName())
                .orElse(null);
        String nodeName = pod != null && pod.nodeName() != null ? pod.nodeName() : rw.getNodeName();
        NodeState node = nodeName == null ? null : resources.node(nodeName).orElse(null);
        boolean answered = false;
        String engineDetail;
        try {
            var position = positions.of(cluster, rw);
            answered = true;
            engineDetail = position.primary() ? "as the primary" : "in recovery";
        } catch (RuntimeException e) {
            engineDetail = e.getMessage();
        }
        ManagerClient.Health health = null;
        String managerFailure = null;
        if (!answered) {
            if (pod == null) {
                managerFailure = "not asked: no pod to exec into";
            } else {
                try {
                    health = manager.health(ClusterSteps.target(cluster, rw));
                } catch (RuntimeException e) {
                    managerFailure = "exec failed: " + e.getMessage();
                }
            }
        }
        var finding = RwFailureEvidence.judge(new RwFailureEvidence.Evidence(
                FailoverSteps.describe(rw), answered, engineDetail, health, managerFailure, pod, nodeName, node));
        execution.setVariable(VERDICT, finding.verdict().name());
        execution.setVariable(EVIDENCE, finding.account());
        boolean answers = finding.verdict() == Verdict.ANSWERS;
        if (answers) {
            LOG.info("MPDCluster {}: {}", cluster.businessKey(), finding.account());
        } else {
            LOG.warn("MPDCluster {}: {}", cluster.businessKey(), finding.account());
        }
        resources.event(cluster, answers ? "Normal" : "Warning", "FailoverDecision", finding.account());
        if (answers) {
            resources.event(
                    cluster,
                    "Normal",
                    "FailoverNotNeeded",
                    "RW " + rw.getInsId() + " answers; the Failover ends with nothing stopped or promoted");
        }
    }
}
