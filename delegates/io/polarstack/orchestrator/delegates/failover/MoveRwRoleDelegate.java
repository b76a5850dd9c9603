package io.polarstack.orchestrator.delegates.failover;

import java.time.Instant;
import java.util.Map;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.specs.Labels;

/**
 * Task_MoveRwRole: the RW Service follows the new primary (pod label role=rw; the fence step already took the
 * old RW out), and the status names it the leader. The event carries the measured write outage.
 */
@Component
public class MoveRwRoleDelegate implements JavaDelegate {

    static final String FENCED = "fenced";

    private final ClusterResources resources;

    public MoveRwRoleDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var oldRw = FailoverSteps.oldRw(cluster, execution);
        var candidate = FailoverSteps.candidate(cluster, execution);
        String ns = cluster.getMetadata().getNamespace();
        resources.labelPod(ns, candidate.getPodName(), Map.of(Labels.ROLE, "rw"));
        var updated = resources.updateStatus(ns, cluster.getMetadata().getName(), status -> {
            var newRw = status.getDbInstanceStatus().get(candidate.getInsId());
            var old = status.getDbInstanceStatus().get(oldRw.getInsId());
            newRw.setInsType("rw");
            if (!"ro".equals(old.getInsType()) || old.getCurrentState() == null || !FENCED.equals(old.getCurrentState().getState())) {
                old.setInsType("ro");
                var state = new InstanceState();
                state.setState(FENCED.toUpperCase());
                state.setStartAt(Instant.now().toString());
                old.setLastState(old.getCurrentState());
                old.setCurrentState(state);
            }
            status.setLeaderInstanceId(candidate.getInsId());
            status.setLeaderInstanceHost(newRw.getNodeName());
        });
        Object stoppedAt = execution.getVariable(FailoverSteps.WRITES_STOPPED_AT);
        String outage = "";
        if (stoppedAt != null && execution.getVariable("outageMillis") == null) {
            long millis = System.currentTimeMillis() - ((Number) stoppedAt).longValue();
            execution.setVariable("outageMillis", millis);
            outage = "; writes were unavailable for " + millis + " ms through the failover";
        }
        resources.event(updated, "Normal", "RwSwitched", "RW moved from " + oldRw.getInsId() + " to " + candidate.getInsId()
                + " (" + (FailoverSteps.planned(execution) ? "planned switchover" : "failover") + ")" + outage);
    }
}
