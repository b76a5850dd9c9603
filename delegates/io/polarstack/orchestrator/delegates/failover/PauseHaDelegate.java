package io.polarstack.orchestrator.delegates.failover;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;

/**
 * Task_PauseHa: the HA monitor leaves the cluster alone while it fails over (condition AutoFailover=False,
 * reason Paused). Whether it was on is kept in {@code haWasEnabled}, so ResumeHa restores exactly that.
 */
@Component
public class PauseHaDelegate implements JavaDelegate {

    static final String HA_WAS_ENABLED = "haWasEnabled";
    static final String PAUSED = "Paused";

    private final ClusterResources resources;

    public PauseHaDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var condition = Conditions.get(cluster.getStatus(), Conditions.AUTO_FAILOVER);
        if (condition != null && PAUSED.equals(condition.getReason())) {
            return;  // a repeat of this step: haWasEnabled is already recorded
        }
        // Off only by the annotation counts as enabled: removing the annotation meanwhile turns it on at the end.
        execution.setVariable(HA_WAS_ENABLED, condition != null && ("True".equals(condition.getStatus())
                || "DisabledByAnnotation".equals(condition.getReason())));
        resources.updateStatus(ClusterSteps.namespace(execution), ClusterSteps.name(execution), status -> Conditions.set(status,
                Conditions.AUTO_FAILOVER, false, PAUSED, "Failover " + execution.getProcessInstanceId() + " is running"));
    }
}
