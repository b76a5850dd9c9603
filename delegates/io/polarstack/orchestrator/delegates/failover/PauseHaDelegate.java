package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PauseHa: the HA monitor leaves the cluster alone while it fails over (condition AutoFailover=False,
 * reason Paused). Whether it was on is kept in {@code haWasEnabled}, so ResumeHa restores exactly that.
 */
@Component
public class PauseHaDelegate implements JavaDelegate {

    static final String HA_WAS_ENABLED = "haWasEnabled";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public PauseHaDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var condition = Conditions.get(cluster.getStatus(), Conditions.AUTO_FAILOVER);
        if (condition != null && Conditions.PAUSED.equals(condition.getReason())) {
            return; // a repeat of this step: haWasEnabled is already recorded
        }
        // Off only by the annotation counts as enabled: removing the annotation meanwhile turns it on at the end.
        execution.setVariable(
                HA_WAS_ENABLED,
                condition != null
                        && ("True".equals(condition.getStatus())
                                || Conditions.DISABLED_BY_ANNOTATION.equals(condition.getReason())));
        status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.AUTO_FAILOVER,
                false,
                Conditions.PAUSED,
                "Failover " + execution.getProcessInstanceId() + " is running");
    }
}
