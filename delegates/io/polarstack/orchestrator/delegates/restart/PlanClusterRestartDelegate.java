package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.RestartPlan;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PlanClusterRestart: the ROs in instance id order ({@code roInsIds}), the RW ({@code rwInsId}) and whether its
 * role moves by a switchover ({@code rwSwitchover}: the start variable when given, else annotation
 * {@code restartRwBy}). Reads only; a re-run plans the same, as the topology is unchanged until the RW step.
 */
@Component
public class PlanClusterRestartDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public PlanClusterRestartDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        Object requested = execution.getVariable(RestartSteps.RW_SWITCHOVER);
        var order = RestartPlan.cluster(cluster, requested instanceof Boolean b ? b : null);
        execution.setVariable("roInsIds", IdList.join(order.roInsIds()));
        execution.setVariable("rwInsId", order.rwInsId());
        execution.setVariable(RestartSteps.RW_SWITCHOVER, order.rwSwitchover());
        resources.event(
                cluster,
                "Normal",
                "ClusterRestartPlanned",
                "ROs " + order.roInsIds() + " one at a time, then the RW " + order.rwInsId()
                        + (order.rwSwitchover() ? " by a switchover to a restarted RO" : " in place")
                        + (order.note().isEmpty() ? "" : " (" + order.note() + ")"));
    }
}
