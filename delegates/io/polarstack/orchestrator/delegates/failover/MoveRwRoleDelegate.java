package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.specs.Labels;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_MoveRwRole: the RW Service follows the new primary (pod label role=rw; the fence step already took the
 * old RW out), and the status names it the leader. The event carries the measured write outage.
 */
@Component
public class MoveRwRoleDelegate implements JavaDelegate {

    /** The old RW's role label while it is fenced (no Service selects it); its state is this in capitals. */
    static final String FENCED = "fenced";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public MoveRwRoleDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var oldRw = FailoverSteps.oldRw(cluster, execution);
        var candidate = FailoverSteps.candidate(cluster, execution);
        String ns = cluster.getMetadata().getNamespace();
        resources.labelPod(ns, candidate.getPodName(), Map.of(Labels.ROLE, InstanceRole.RW));
        var updated = status.rwMoved(
                ns,
                cluster.getMetadata().getName(),
                candidate.getInsId(),
                oldRw.getInsId(),
                FENCED.toUpperCase(java.util.Locale.ROOT));
        Object stoppedAt = execution.getVariable(FailoverSteps.WRITES_STOPPED_AT);
        String outage = "";
        if (stoppedAt != null && execution.getVariable("outageMillis") == null) {
            long millis = System.currentTimeMillis() - ((Number) stoppedAt).longValue();
            execution.setVariable("outageMillis", millis);
            outage = "; writes were unavailable for " + millis + " ms through the failover";
        }
        resources.event(
                updated,
                "Normal",
                "RwSwitched",
                "RW moved from " + oldRw.getInsId() + " to " + candidate.getInsId() + " ("
                        + (FailoverSteps.planned(execution) ? "planned switchover" : "failover") + ")" + outage);
    }
}
